/**
 * The shape every session's data must have: a JSON object. Values must be
 * JSON-serialisable (no `Date`, `Map`, `BigInt` or class instances). The
 * aiohttp-session formats also hold what Python's json module does: a
 * `bigint` (a Python int beyond 2^53), `NaN`, `Infinity`, `-0`.
 *
 * @example
 * ```ts
 * type Data = { user?: string; count?: number };
 * const kit = createSessionKit<Data>({ storage });
 * ```
 */
export type SessionData = Record<string, unknown>;

/**
 * Why a cookie sent by the browser was not accepted. Reported through
 * `onInvalidSession`; the request goes on with a fresh empty session.
 *
 * - `expired`: authentic, but past its absolute or idle lifetime.
 * - `future`: authentic, but created or last active more than 60 s in the future: forged
 *   with a leaked key, or written by a server whose clock is ahead. Such a session would
 *   outlive `maxAge` and `idleTimeout`, so no storage accepts it.
 * - `invalid`: malformed, truncated, tampered, or sealed for another cookie name.
 * - `unknown-key`: a well-formed value sealed with a key this app does not have.
 * - `schema`: the data failed the kit's `schema` (after any migration).
 * - `version`: written for a newer data `version` than this app's (a rollback), or
 *   for an older one while no `migrate` is configured.
 * - `migration`: `migrate` threw or returned something other than an object; or, for a
 *   `migrateFrom` source, its `map` or `userId` threw or returned something unusable.
 *
 * @example
 * ```ts
 * createSessionKit({ storage, onInvalidSession: (reason) => console.warn('session rejected:', reason) });
 * ```
 */
export type InvalidSessionReason =
  | 'expired'
  | 'future'
  | 'invalid'
  | 'unknown-key'
  | 'schema'
  | 'version'
  | 'migration';

/**
 * What `onInvalidSession` learns besides the reason, when there is more to
 * say: `source` names the library whose cookie was refused, when it was not
 * the kit's own but one read for `migrateFrom` (`'iron-session'`, `'authjs'`).
 *
 * @example
 * ```ts
 * onInvalidSession: (reason, detail) => console.warn('rejected', detail?.source ?? 'session', reason);
 * ```
 */
export interface InvalidSessionDetail {
  source: string;
}

/**
 * `SameSite` attribute values.
 *
 * @example
 * ```ts
 * createSessionKit({ storage, cookie: { sameSite: 'strict' } });
 * ```
 */
export type SameSite = 'lax' | 'strict' | 'none';

/**
 * Cookie attributes a user may configure.
 *
 * @example
 * ```ts
 * createSessionKit({ storage, cookie: { sameSite: 'strict', secure: 'auto', path: '/' } });
 * ```
 */
export interface CookieOptions {
  /** `Domain` attribute. Leave unset for a host-only cookie (safer). */
  domain?: string;
  /** `Path` attribute. Default `/`. */
  path?: string;
  /** `SameSite` attribute. Default `lax`. */
  sameSite?: SameSite;
  /**
   * `Secure` attribute. `'auto'` (default) sets it when `NODE_ENV` is
   * `production`, the request arrived over https, or the cookie name has a
   * prefix such as `__Host-` (in any case, as browsers match it).
   */
  secure?: 'auto' | boolean;
  /** `HttpOnly` attribute. Default `true`; turning it off exposes the cookie to scripts. */
  httpOnly?: boolean;
  /**
   * Name prefix (RFC 6265bis). `'auto'` (default): whenever the cookie is
   * Secure it is named `__Host-<cookieName>`, which a sibling subdomain can
   * neither set nor overwrite (`__Secure-<cookieName>` when `domain` or a
   * `path` other than `/` is set, which does not stop that). `'none'`: the
   * name exactly as configured. A `cookieName` that already starts with
   * `__Host-`/`__Secure-` is used as is; the aiohttp-session formats keep
   * Python's exact name.
   */
  prefix?: 'auto' | 'none';
}

/**
 * Attributes as written on one `Set-Cookie`. Compatible with Next's
 * `cookies().set(name, value, options)` and `NextResponse.cookies.set`.
 *
 * @example
 * ```ts
 * const attrs: CookieWriteOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure: true, maxAge: 60 };
 * ```
 */
export interface CookieWriteOptions {
  domain?: string;
  path: string;
  sameSite: SameSite;
  secure: boolean;
  httpOnly: boolean;
  /** Absent (with `expires`): a browser-session cookie, gone when the browser closes. */
  maxAge?: number;
  expires?: Date;
}

/**
 * The minimal cookie interface the kit reads and writes through. Next's
 * `await cookies()`, `request.cookies` and `response.cookies` all satisfy it,
 * so tests and other frameworks can pass their own.
 *
 * @example
 * ```ts
 * const jar: CookieJar = await cookies();
 * ```
 */
export interface CookieJar {
  get(name: string): { name: string; value: string } | undefined;
  getAll(): Array<{ name: string; value: string }>;
  set(name: string, value: string, options: CookieWriteOptions): unknown;
}
