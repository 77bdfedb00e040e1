import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextRequest } from 'next/server.js';
import { deferConfigErrorDuringBuild } from '../build-phase.ts';
import { hasChanges } from '../change-set.ts';
import { SessionEngine } from '../engine.ts';
import { SessionConfigError, SessionUnsupportedError } from '../errors.ts';
import type { ClientSessionData } from '../expose.ts';
import type { SessionKitOptions } from '../options.ts';
import { asSession, type Session, type SessionCore, type SessionImpl } from '../session.ts';
import type { UserSessionIndex, UserSessionInfo } from '../storage/types.ts';
import type { SessionData } from '../types.ts';
import { type ClientAccess, createClientAccess, failingClientAccess } from './client-access.ts';
import { atRequestTime, requestFacts, requestJar, writableJar } from './context.ts';
import { createGuard, type Guard } from './guard.ts';
import { createPagesAccess, type PagesSession } from './pages.ts';
import { createProxySession, type ProxySession } from './proxy-session.ts';
import { refreshAfterSave } from './refresh.ts';
import { createRequestScope } from './request-scope.ts';
import { watchUnsaved } from './unsaved.ts';
import { validateUserId } from './user-id.ts';

/**
 * Options of `newSession()`.
 *
 * @example
 * ```ts
 * await newSession({ userId: user.id });
 * ```
 */
export interface NewSessionOptions {
  /** Binds the new session to a user (enables per-user listing and revocation with stores). */
  userId?: string;
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
   * devices". Resolves to how many ended. Store-backed storages only.
   */
  destroyUserSessions(userId: string, options?: { except?: readonly string[] }): Promise<number>;
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
  const load = async (peek: boolean): Promise<SessionImpl> => {
    const [jar, request] = await Promise.all([requestJar(), requestFacts(), atRequestTime()]);
    return engine.load(jar, commit, request.secure, peek);
  };

  const current = async (): Promise<SessionImpl> => {
    const slot = await scope();
    if (slot.current === undefined) {
      slot.current = load(false);
      if (engine.options.warnUnsaved) void watchUnsaved(() => slot.current);
    }
    return slot.current;
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
      const session = await (slot.current ?? load(true));
      // Not new and not yet saved: carried over from another library's cookie (`migrateFrom`).
      return session.changes.handle !== undefined || !session.isNew;
    },

    async newSession(newOptions?: NewSessionOptions): Promise<Session<Data, Flash>> {
      const userId = validateUserId(newOptions?.userId);
      const previous = await current();
      const next = engine.replace(previous, commit, userId);
      (await scope()).current = Promise.resolve(next);
      return asSession<Data, Flash>(next);
    },

    async destroySession(): Promise<void> {
      const session = await current();
      session.invalidate();
      await session.save();
    },

    guard: createGuard(engine),
    proxySession: createProxySession(engine),
    pages: createPagesAccess(engine),

    async listUserSessions(userId: string): Promise<UserSessionInfo[]> {
      const id = requireUserId(userId);
      const users = userIndex(engine);
      const [sessions, session] = await Promise.all([users.list(id), current()]);
      const handle = session.changes.handle;
      const ref = handle === undefined ? undefined : await users.refOf(handle);
      return sessions.map((info) => ({ ...info, current: info.ref === ref }));
    },

    async destroyUserSessions(
      userId: string,
      destroyOptions?: { except?: readonly string[] },
    ): Promise<number> {
      const id = requireUserId(userId);
      const except = destroyOptions?.except ?? [];
      if (!Array.isArray(except) || except.some((ref) => typeof ref !== 'string')) {
        throw new SessionConfigError('`except` must be an array of session refs from listUserSessions().');
      }
      return userIndex(engine).destroy(id, except);
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
    listUserSessions: fail,
    destroyUserSessions: fail,
    pages: () => ({ getSession: fail, hasSession: fail, newSession: fail, destroySession: fail }),
  };
}
