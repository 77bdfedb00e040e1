import type { SessionEngine, SignIn } from '../engine.ts';
import { SessionUnsupportedError } from '../errors.ts';
import type { Committer, SessionCore, SessionImpl } from '../session.ts';
import { inherit, startState } from './sessions.ts';

/**
 * A fresh session that replaces `previous` (a sign-in): its records die
 * when this one is saved. Authenticated now; `keepData` carries the data
 * over (a re-authentication); a store-backed session records `device`;
 * `own` gives it lifetime rules of its own.
 *
 * @internal
 */
export function replaceSession(
  engine: SessionEngine,
  previous: SessionCore | undefined,
  commit: Committer,
  signIn: SignIn,
): SessionImpl {
  const state = startState(engine);
  state.authenticatedAt = state.createdAt;
  if (signIn.userId !== undefined) state.userId = signIn.userId;
  if (signIn.own !== undefined) {
    if (engine.storage.ownLifetime === false) {
      throw new SessionUnsupportedError(
        `newSession({ persistent, maxAge }) needs a storage that records them; the ${engine.options.storage.name} ` +
          "format has no field for them. Set the kit's `maxAge` instead.",
      );
    }
    state.lifetime = signIn.own;
  }
  if (signIn.keepData && previous !== undefined) state.data = { ...previous.state.data };
  if (engine.storage.users !== null) Object.assign(state, signIn.device);
  const session = engine.session(state, true, commit);
  inherit(session, previous);
  return session;
}
