import type { CookieWriteOptions } from '../types.ts';
import { type CookiePrefix, cookiePrefix, effectiveCookieName } from './prefix.ts';
import type { ResolvedCookieOptions } from './validate.ts';

/**
 * The session cookie as one kind of request writes it: its name (with the
 * `__Host-`/`__Secure-` prefix it gets there) and every attribute but its
 * expiry.
 *
 * @internal
 */
export interface SessionCookie {
  readonly name: string;
  readonly attributes: Readonly<Omit<CookieWriteOptions, 'maxAge' | 'expires'>>;
}

/**
 * The session cookie of a kit, resolved once at creation: the Secure variant
 * and the plain one (the same unless `secure: 'auto'`), each with its
 * effective name, so no write works out a prefix again.
 *
 * @internal
 */
export interface SessionCookies {
  /**
   * The cookie a request reads and writes: Secure over https, and with
   * `secure: 'auto'` also in production or for a name that carries a prefix.
   * Reads and writes of one request always agree on it.
   */
  on(secureRequest: boolean): SessionCookie;
}

/**
 * Resolves both variants of the session cookie from the validated options.
 * `cookieName` is the name as configured; the key stays derived from it.
 *
 * @internal
 */
export function resolveSessionCookies(
  cookieName: string,
  options: ResolvedCookieOptions & { prefix: CookiePrefix },
): SessionCookies {
  const variant = (secure: boolean): SessionCookie => {
    const attributes: SessionCookie['attributes'] = {
      path: options.path,
      sameSite: options.sameSite,
      secure,
      httpOnly: options.httpOnly,
      ...(options.domain !== undefined && { domain: options.domain }),
    };
    return { name: effectiveCookieName(cookieName, options.prefix, attributes), attributes };
  };
  if (options.secure !== 'auto') {
    const only = variant(options.secure);
    return { on: () => only };
  }
  const secure = variant(true);
  // A prefixed name is refused by browsers without Secure, even on http.
  if (cookiePrefix(cookieName) !== undefined) return { on: () => secure };
  const plain = variant(false);
  // NODE_ENV is read per request, as Next sets it only once the server starts.
  return { on: (secureRequest) => (secureRequest || isProduction() ? secure : plain) };
}

/**
 * The write options of a cookie variant with an expiry: `maxAge` seconds
 * from `now` (0: expire it now).
 *
 * @internal
 */
export function withExpiry(cookie: SessionCookie, now: number, maxAge: number): CookieWriteOptions {
  return { ...cookie.attributes, maxAge, expires: new Date(maxAge === 0 ? 0 : now + maxAge * 1000) };
}

function isProduction(): boolean {
  return typeof process !== 'undefined' && process.env?.NODE_ENV === 'production';
}
