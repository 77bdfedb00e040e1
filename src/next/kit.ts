import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextRequest } from 'next/server.js';
import { deferConfigErrorDuringBuild } from '../build-phase.ts';
import { replaceSession } from '../engine/sign-in.ts';
import { SessionEngine } from '../engine.ts';
import type { SessionConfigError } from '../errors.ts';
import type { ClientSessionData } from '../expose.ts';
import type { SessionKitOptions } from '../options.ts';
import { asSession, type Session, type SessionImpl } from '../session.ts';
import type { UserSessionInfo } from '../storage/types.ts';
import type { SessionData } from '../types.ts';
import { afterResponse } from './after-response.ts';
import { type ClientAccess, createClientAccess, failingClientAccess } from './client-access.ts';
import { requestHeaders } from './context.ts';
import { createGuard, type Guard } from './guard.ts';
import { requestSessions } from './kit-request.ts';
import { requireFresh, userSessionMethods } from './kit-users.ts';
import { createPagesAccess, type PagesSession } from './pages.ts';
import { createProxySession, type ProxySession } from './proxy-session.ts';
import { signInOf } from './sign-in.ts';

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
  engine.events.schedule = afterResponse;
  const { current, load, commit, scope } = requestSessions(engine);
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
      const next = replaceSession(engine, previous, commit, signIn);
      (await scope()).current = Promise.resolve(next);
      return asSession<Data, Flash>(next);
    },

    destroySession: async () => destroySession(engine, await current()),
    guard: createGuard(engine),
    proxySession: createProxySession(engine),
    pages: createPagesAccess(engine),
    requireFreshSession: async (freshOptions) =>
      asSession<Data, Flash>(requireFresh(engine, await current(), freshOptions)),
    ...userSessionMethods(engine, current),
  };
}

async function destroySession(engine: SessionEngine, session: SessionImpl): Promise<void> {
  const { userId, id } = session.state;
  const stored = session.changes.handle !== undefined;
  session.invalidate();
  await session.save();
  if (stored || userId !== undefined) {
    const ref = stored ? engine.refOf(id) : undefined;
    engine.events.emit('logout', () => ({ type: 'logout', userId, ref }));
  }
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
