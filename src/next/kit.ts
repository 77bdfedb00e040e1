import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextRequest } from 'next/server.js';
import { deferConfigErrorDuringBuild } from '../build-phase.ts';
import { hasChanges } from '../change-set.ts';
import { SessionEngine } from '../engine.ts';
import { SessionConfigError, SessionNotFreshError, SessionUnsupportedError } from '../errors.ts';
import type { ClientSessionData } from '../expose.ts';
import { isFresh } from '../freshness.ts';
import type { SessionKitOptions } from '../options.ts';
import { asSession, type Session, type SessionCore, type SessionImpl } from '../session.ts';
import type { UserSessionIndex, UserSessionInfo, UserSessionSelection } from '../storage/types.ts';
import type { SessionData } from '../types.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import { afterResponse } from './after-response.ts';
import { type ClientAccess, createClientAccess, failingClientAccess } from './client-access.ts';
import { atRequestTime, requestFacts, requestHeaders, requestJar, writableJar } from './context.ts';
import { createGuard, type Guard } from './guard.ts';
import { forgetUserHandOffs, takeHandOff } from './hand-off.ts';
import { createPagesAccess, type PagesSession } from './pages.ts';
import { createProxySession, type ProxySession } from './proxy-session.ts';
import { refreshAfterSave } from './refresh.ts';
import { createRequestScope, type RequestScope } from './request-scope.ts';
import { signInOf } from './sign-in.ts';
import { watchUnsaved } from './unsaved.ts';
import { validateUserId } from './user-id.ts';

/**
 * Options of `newSession()`.
 *
 * @example
 * ```ts
 * await newSession({ userId: user.id, persistent: form.get('remember') === 'on' });
 * ```
 */
export interface NewSessionOptions {
  /** Binds the new session to a user (enables per-user listing and revocation with stores). */
  userId?: string;
  /**
   * `false`: a browser-session cookie, without `Max-Age`/`Expires`, gone when
   * the browser closes (a login without "remember me"); the server still
   * ends the session at `maxAge` and `idleTimeout`. Default `true`.
   */
  persistent?: boolean;
  /**
   * Absolute lifetime of this session in seconds, instead of the kit's
   * `maxAge` (e.g. 30 days for "remember me"); at most 400 days.
   */
  maxAge?: number;
  /**
   * A re-authentication: the new identity (new cookie, `authenticatedAt`
   * now) keeps the current session's data instead of starting empty.
   */
  keepData?: boolean;
}

/**
 * Which of a user's sessions `destroyUserSessions()` ends: exactly `only`
 * ("sign out this device"), or all but `except` ("sign out other devices").
 * References come from `listUserSessions()`; one of another user's sessions
 * ends nothing.
 *
 * @example
 * ```ts
 * await destroyUserSessions(userId, { only: [ref] });
 * ```
 */
export interface DestroyUserSessionsOptions {
  only?: readonly string[];
  except?: readonly string[];
}

/**
 * What `createSessionKit()` returns. Destructure it in one `lib/session.ts`.
 *
 * @example
 * ```ts
 * export const { getSession, newSession, destroySession, guard } = createSessionKit<Data>({ storage });
 * ```
 */
export interface SessionKit<
  Data extends SessionData,
  Flash extends SessionData = SessionData,
  Client extends ClientSessionData = Partial<Data>,
> extends ClientAccess<Client> {
  /** The current request's session, loaded once per request. Read-only in server components. */
  getSession(): Promise<Session<Data, Flash>>;
  /**
   * Whether the request carries a valid session, without creating one: no
   * cookie is written and nothing is stored (not even an idle-TTL refresh).
   * Expired, tampered or revoked → `false`.
   */
  hasSession(): Promise<boolean>;
  /** A fresh identity with empty data; the previous session is destroyed when this one is saved. */
  newSession(options?: NewSessionOptions): Promise<Session<Data, Flash>>;
  /** Ends the current session now: clears its cookie (and its stored record). */
  destroySession(): Promise<void>;
  /** Route guard for `proxy.ts`. */
  guard: Guard;
  /**
   * The current session, if its user signed in at most `maxAge` seconds ago
   * (`session.authenticatedAt`); otherwise throws `SessionNotFreshError`
   * (`ERR_SESSION_NOT_FRESH`): signed out, signed in too long ago, or at an
   * unknown time. For Server Actions and Route Handlers that change what a
   * stolen session must not (password, e-mail, payment details), next to the
   * guard's `fresh` option for their pages.
   */
  requireFreshSession(options: { maxAge: number }): Promise<Session<Data, Flash>>;
  /** Loads the session in your own `proxy.ts` function; `next()`/`apply()` deliver its cookie changes. */
  proxySession<D extends SessionData = Data>(request: NextRequest): Promise<ProxySession<D>>;
  /**
   * The user's live sessions (store-backed storages), most recent first; the
   * one of this request has `current: true`. Throws `SessionUnsupportedError`
   * with the cookie storages.
   */
  listUserSessions(userId: string): Promise<UserSessionInfo[]>;
  /**
   * Ends the user's sessions ("sign out everywhere"); `except` keeps the
   * listed references, e.g. `{ except: [current.ref] }` for "sign out other
   * devices"; `only` ends exactly those ("sign out this device"). Resolves
   * to how many ended. Store-backed storages only.
   */
  destroyUserSessions(userId: string, options?: DestroyUserSessionsOptions): Promise<number>;
  /**
   * The Pages Router's way in: `getSession`, `newSession`, `destroySession`
   * and `hasSession` bound to one request of `getServerSideProps`
   * (`context.req`, `context.res`) or an API route. Same sessions and cookie
   * as the App Router helpers; `Set-Cookie` is added to the response's own.
   */
  pages(req: IncomingMessage, res: ServerResponse): PagesSession<Data, Flash>;
}

/**
 * Creates the session helpers for a Next.js app. Options are validated and
 * keys derived here, once; misconfiguration throws `SessionConfigError`.
 *
 * @example
 * ```ts
 * // lib/session.ts
 * import { createSessionKit, encryptedCookieStorage } from 'next-session-kit';
 * type Data = { user?: string; count?: number };
 * export const { getSession, newSession, destroySession, guard } = createSessionKit<Data>({
 *   storage: encryptedCookieStorage({ secret: process.env.SESSION_SECRET! }),
 * });
 * ```
 */
export function createSessionKit<
  Data extends SessionData = SessionData,
  Flash extends SessionData = SessionData,
  Client extends ClientSessionData = Partial<Data>,
>(options: SessionKitOptions<Data, Client>): SessionKit<Data, Flash, Client> {
  return deferConfigErrorDuringBuild(
    () => bindKit<Data, Flash, Client>(new SessionEngine({ ...options })),
    (error) => failingKit<Data, Flash, Client>(error),
  );
}

function bindKit<Data extends SessionData, Flash extends SessionData, Client extends ClientSessionData>(
  engine: SessionEngine,
): SessionKit<Data, Flash, Client> {
  const scope = createRequestScope();
  engine.events.schedule = afterResponse;

  const commit = async (session: SessionCore): Promise<void> => {
    // Checked even when nothing changed: save() in a server component is
    // always a mistake, and saying so early beats a silent no-op.
    const jar = await writableJar();
    if (!hasChanges(session.changes)) return;
    const request = await requestFacts();
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
    const [jar, request] = await Promise.all([requestJar(), requestFacts(), atRequestTime()]);
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

  return {
    ...createClientAccess<Client>(engine.options.expose, current, {
      // Never through the request's own session: the snapshot route must not
      // slide the expiry (a background refetch would keep an idle session alive).
      peek: () => load(true),
      live: engine.options.live,
    }),
    getSession: async () => asSession<Data, Flash>(await current()),

    async hasSession(): Promise<boolean> {
      const slot = await scope();
      // Already loaded in this request: that session (saved or not) decides.
      const session = await (slot.current ?? load(true, slot));
      // Not new and not yet saved: carried over from another library's cookie (`migrateFrom`).
      return session.changes.handle !== undefined || !session.isNew;
    },

    async newSession(newOptions?: NewSessionOptions): Promise<Session<Data, Flash>> {
      // The session first: outside a request it fails with the kit's own message.
      const previous = await current();
      const signIn = await signInOf(engine, newOptions, requestHeaders);
      const next = engine.replace(previous, commit, signIn);
      (await scope()).current = Promise.resolve(next);
      return asSession<Data, Flash>(next);
    },

    async destroySession(): Promise<void> {
      const session = await current();
      const { userId, id } = session.state;
      const stored = session.changes.handle !== undefined;
      session.invalidate();
      await session.save();
      if (stored || userId !== undefined) {
        const ref = stored ? engine.refOf(id) : undefined;
        engine.events.emit('logout', () => ({ type: 'logout', userId, ref }));
      }
    },

    guard: createGuard(engine),
    proxySession: createProxySession(engine),
    pages: createPagesAccess(engine),

    async requireFreshSession(freshOptions: { maxAge: number }): Promise<Session<Data, Flash>> {
      const maxAge = freshOptions?.maxAge;
      if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 1) {
        throw new SessionConfigError(
          'requireFreshSession() needs { maxAge } in whole seconds, e.g. { maxAge: 300 }.',
        );
      }
      const session = await current();
      const signedIn = !session.isNew && session.state.userId !== undefined;
      if (!signedIn || !isFresh(session.state.authenticatedAt, maxAge, engine.options.now())) {
        throw new SessionNotFreshError(
          signedIn
            ? `This action needs a sign-in at most ${maxAge} s old: ask the user to sign in again.`
            : 'This action needs a signed-in session.',
        );
      }
      return asSession<Data, Flash>(session);
    },

    async listUserSessions(userId: string): Promise<UserSessionInfo[]> {
      const id = requireUserId(userId);
      const users = userIndex(engine);
      const [sessions, session] = await Promise.all([
        users.list(id).catch((error) => engine.storeFailed(error, 'list')),
        current(),
      ]);
      // Only a session this request loaded (or saved) is in the store.
      const ref = session.changes.handle === undefined ? undefined : session.state.id;
      for (const info of sessions) info.current = info.ref === ref;
      return sessions;
    },

    async destroyUserSessions(userId: string, destroyOptions?: DestroyUserSessionsOptions): Promise<number> {
      const id = requireUserId(userId);
      const users = userIndex(engine);
      const count = await users
        .destroy(id, selection(destroyOptions))
        .catch((error) => engine.storeFailed(error, 'revoke'));
      forgetUserHandOffs(engine, id);
      engine.events.emit('revoke', () => ({ type: 'revoke', userId: id, count }));
      return count;
    },
  };
}

function userIndex(engine: SessionEngine): UserSessionIndex {
  const { users } = engine.storage;
  if (users === null) {
    throw new SessionUnsupportedError(
      `Listing and ending a user's sessions needs a session store; the ${engine.options.storage.name} ` +
        'storage keeps sessions only in the browser. Use redisStorage(), kvStorage() or memcachedStorage().',
    );
  }
  return users;
}

function selection(options: DestroyUserSessionsOptions | undefined): UserSessionSelection {
  if (options === undefined) return { except: [] };
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('destroyUserSessions() options must be { only } or { except }.');
  }
  rejectUnknownOptions(options, ['only', 'except'], 'destroyUserSessions() option');
  const { only, except } = options;
  if (only !== undefined && except !== undefined) {
    throw new SessionConfigError('Pass `only` or `except` to destroyUserSessions(), not both.');
  }
  const refs = only ?? except ?? [];
  if (!Array.isArray(refs) || refs.some((ref) => typeof ref !== 'string')) {
    const name = only === undefined ? 'except' : 'only';
    throw new SessionConfigError(`\`${name}\` must be an array of session refs from listUserSessions().`);
  }
  return only === undefined ? { except: refs } : { only: refs };
}

function requireUserId(userId: unknown): string {
  const id = validateUserId(userId);
  if (id === undefined) throw new SessionConfigError('`userId` is required.');
  return id;
}

// Stand-in used while `next build` runs without the runtime configuration:
// every call fails with the original, actionable error.
function failingKit<Data extends SessionData, Flash extends SessionData, Client extends ClientSessionData>(
  error: SessionConfigError,
): SessionKit<Data, Flash, Client> {
  const fail = async (): Promise<never> => {
    throw error;
  };
  return {
    ...failingClientAccess<Client>(error),
    getSession: fail,
    hasSession: fail,
    newSession: fail,
    destroySession: fail,
    guard: () => fail,
    proxySession: fail,
    requireFreshSession: fail,
    listUserSessions: fail,
    destroyUserSessions: fail,
    pages: () => ({ getSession: fail, hasSession: fail, newSession: fail, destroySession: fail }),
  };
}
