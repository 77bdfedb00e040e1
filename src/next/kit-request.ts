import { hasChanges } from '../change-set.ts';
import type { SessionEngine } from '../engine.ts';
import type { SessionCore, SessionImpl } from '../session.ts';
import { atRequestTime, requestJar, writableJar } from './context.ts';
import { takeHandOff } from './hand-off.ts';
import { refreshAfterSave } from './refresh.ts';
import { createRequestScope, type RequestScope } from './request-scope.ts';
import { watchUnsaved } from './unsaved.ts';

/**
 * The current request's session for the kit's helpers: loaded once per
 * request (`current`), or peeked at without becoming the request's session
 * (`load(true)`), and saved through `commit` into Next's cookies.
 *
 * @internal
 */
export interface RequestSessions {
  current(): Promise<SessionImpl>;
  load(peek: boolean, slot?: RequestScope): Promise<SessionImpl>;
  commit(session: SessionCore): Promise<void>;
  scope(): Promise<RequestScope>;
}

/**
 * The request-bound load and commit of one kit.
 *
 * @internal
 */
export function requestSessions(engine: SessionEngine): RequestSessions {
  const scope = createRequestScope();

  const commit = async (session: SessionCore): Promise<void> => {
    // Checked even when nothing changed: save() in a server component is
    // always a mistake, and saying so early beats a silent no-op.
    const jar = await writableJar();
    if (!hasChanges(session.changes)) return;
    const request = (await scope()).facts;
    const silent = await engine.commit(session, jar, request.secure);
    // A written cookie already makes Next re-render after a Server Action; a
    // store save that kept the cookie needs asking. Only a Server Action can
    // refresh: anywhere else Next answers with a thrown Error.
    if (silent && request.action) refreshAfterSave();
  };

  // The cookie's name depends on whether the request is https (`__Host-`
  // only there), so a load reads the same request facts a save does. The
  // load reads the clock, so it waits for the request (see atRequestTime).
  // The guard in proxy.ts may have loaded this request's session already:
  // taken from it, the page costs no second store round trip or decrypt.
  // It is a full load: hasSession() keeps it as the request's session, for
  // getSession() (the hand-off can be taken only once).
  const load = async (peek: boolean, slot?: RequestScope): Promise<SessionImpl> => {
    const [jar, { facts: request }] = await Promise.all([requestJar(), slot ?? scope(), atRequestTime()]);
    const handed =
      request.handOff === null
        ? undefined
        : await takeHandOff(engine, request.handOff, jar, request.secure, commit);
    if (handed === undefined) return engine.load(jar, commit, request.secure, peek);
    if (peek && slot !== undefined && slot.current === undefined) keep(slot, Promise.resolve(handed));
    return handed;
  };

  const keep = (slot: RequestScope, session: Promise<SessionImpl>): void => {
    slot.current = session;
    if (engine.options.warnUnsaved) void watchUnsaved(() => slot.current);
  };

  const current = async (): Promise<SessionImpl> => {
    const slot = await scope();
    if (slot.current !== undefined) return slot.current;
    const loading = load(false, slot);
    keep(slot, loading);
    return loading;
  };

  return { current, load, commit, scope };
}
