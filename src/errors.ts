/**
 * Stable machine-readable codes carried by every {@link SessionError}.
 *
 * @example
 * ```ts
 * if (err instanceof SessionError && err.code === 'ERR_SESSION_READ_ONLY') {
 *   // called save() during a server-component render
 * }
 * ```
 */
export type SessionErrorCode =
  | 'ERR_SESSION_CONFIG'
  | 'ERR_SESSION_READ_ONLY'
  | 'ERR_SESSION_TOO_LARGE'
  | 'ERR_SESSION_STORE'
  | 'ERR_SESSION_UNSUPPORTED';

/**
 * Base class of every error this package throws on purpose. Messages never
 * contain secrets, keys or cookie values.
 *
 * @example
 * ```ts
 * try {
 *   await session.save();
 * } catch (err) {
 *   if (err instanceof SessionError) console.error(err.code, err.message);
 *   throw err;
 * }
 * ```
 */
export class SessionError extends Error {
  /** Stable code, safe to branch on. */
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Invalid options given to `createSessionKit` or a storage factory. Thrown at
 * creation, never per request; the message says how to fix it.
 *
 * @example
 * ```ts
 * try {
 *   encryptedCookieStorage({ secret: 'short' });
 * } catch (err) {
 *   // err.code === 'ERR_SESSION_CONFIG'
 * }
 * ```
 */
export class SessionConfigError extends SessionError {
  constructor(message: string) {
    super('ERR_SESSION_CONFIG', message);
  }
}

/**
 * `save()` (or any cookie write) was attempted where Next.js forbids writing
 * cookies: while rendering a server component.
 *
 * @example
 * ```ts
 * // app/page.tsx (server component)
 * const session = await getSession();
 * await session.save(); // throws SessionReadOnlyError
 * ```
 */
export class SessionReadOnlyError extends SessionError {
  constructor(message = defaultReadOnlyMessage) {
    super('ERR_SESSION_READ_ONLY', message);
  }
}

const defaultReadOnlyMessage =
  'The session is read-only while a server component renders: Next.js cannot set cookies there. ' +
  'Change and save the session in a Server Action, a Route Handler or proxy.ts instead.';

/**
 * The sealed session does not fit in the allowed number of cookie chunks.
 *
 * @example
 * ```ts
 * try {
 *   await session.save();
 * } catch (err) {
 *   if (err instanceof SessionTooLargeError) {
 *     // keep less in the session, or switch to redisStorage()
 *   }
 * }
 * ```
 */
export class SessionTooLargeError extends SessionError {
  /** Bytes the sealed value needed. */
  readonly size: number;
  /** Bytes the configured chunks allow. */
  readonly limit: number;

  constructor(size: number, limit: number) {
    super(
      'ERR_SESSION_TOO_LARGE',
      `The sealed session is ${size} bytes but the cookie chunks allow at most ${limit}. ` +
        'Store less in the session (keep ids, not records), raise `maxChunks` carefully ' +
        '(browsers and proxies limit the total Cookie header), or use a store-backed storage ' +
        'such as redisStorage() from next-session-kit/redis.',
    );
    this.size = size;
    this.limit = limit;
  }
}

/**
 * The session store (Redis, KV, Memcached) failed or timed out. The original
 * error is in `cause`. Nothing is silently replaced by an empty session.
 *
 * @example
 * ```ts
 * try {
 *   const session = await getSession();
 * } catch (err) {
 *   if (err instanceof SessionStoreError) return new Response('Try again', { status: 503 });
 *   throw err;
 * }
 * ```
 */
export class SessionStoreError extends SessionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_STORE', message, options);
  }
}

/**
 * The operation needs a capability the configured storage lacks, such as
 * listing a user's sessions with the cookie storage, or a value it cannot
 * store faithfully (a `bigint` in a JSON storage; in the aiohttp-session
 * formats, a value Python could not read back). Thrown by `save()`, which
 * then writes nothing.
 *
 * @example
 * ```ts
 * await listUserSessions('u1'); // with encryptedCookieStorage: throws SessionUnsupportedError
 * ```
 */
export class SessionUnsupportedError extends SessionError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_SESSION_UNSUPPORTED', message, options);
  }
}
