import { SessionConfigError } from '../errors.ts';

/**
 * A cookie name prefix of RFC 6265bis, spelled canonically.
 *
 * @internal
 */
export type NamePrefix = '__Host-Http-' | '__Host-' | '__Http-' | '__Secure-';

// Longest first: "__Host-Http-" also starts with "__Host-".
const PREFIXES: readonly NamePrefix[] = ['__Host-Http-', '__Host-', '__Http-', '__Secure-'];

/**
 * The prefix a cookie name starts with, matched case-insensitively as
 * browsers do (RFC 6265bis): "__host-session" is a "__Host-" cookie to them,
 * so it gets the same rules here. Every prefix requires Secure; "__Host-"
 * also no Domain and Path=/; "__Http-" and "__Host-Http-" also HttpOnly.
 *
 * @internal
 */
export function cookiePrefix(name: string): NamePrefix | undefined {
  const start = name.slice(0, 12).toLowerCase();
  return PREFIXES.find((prefix) => start.startsWith(prefix.toLowerCase()));
}

/**
 * `cookie.prefix`: whether the kit puts an RFC 6265bis name prefix in front
 * of `cookieName`.
 *
 * - `'auto'` (default): a cookie written `Secure` is named `__Host-<name>`
 *   (host-only, `Path=/`), or `__Secure-<name>` when `cookie.domain` or a
 *   narrower `cookie.path` rules `__Host-` out. A cookie that is not Secure
 *   (plain-http development) keeps the bare name.
 * - `'none'`: the name exactly as configured, on every request.
 *
 * A `cookieName` that already starts with `__Host-` or `__Secure-` is used as
 * is either way.
 */
export type CookiePrefix = 'auto' | 'none';

/**
 * Whether a cookie name already carries an RFC 6265bis prefix (in any letter
 * case, as browsers compare them).
 */
export function carriesCookiePrefix(name: string): boolean {
  return cookiePrefix(name) !== undefined;
}

/**
 * Validates `cookie.prefix` and applies its default: `'auto'`, except for a
 * storage whose cookie another program reads by its exact name (the
 * aiohttp-session formats), where it is `'none'` and `'auto'` is refused.
 */
export function resolveCookiePrefix(
  value: unknown,
  storage: { readonly name: string; readonly exactCookieName?: boolean },
): CookiePrefix {
  const exact = storage.exactCookieName === true;
  if (value === undefined) return exact ? 'none' : 'auto';
  if (value !== 'auto' && value !== 'none') {
    throw new SessionConfigError(
      '`cookie.prefix` must be "auto" (the default: the cookie is named "__Host-<cookieName>" whenever it ' +
        'is Secure) or "none" (the name exactly as configured).',
    );
  }
  if (value === 'auto' && exact) {
    throw new SessionConfigError(
      `The ${storage.name} storage shares its cookie with aiohttp-session, which reads it by its exact name, ` +
        'so the kit adds no prefix to it: remove `cookie.prefix`. For "__Host-" protection give both apps ' +
        'the same prefixed name, e.g. cookieName: "__Host-AIOHTTP_SESSION" here and ' +
        'cookie_name="__Host-AIOHTTP_SESSION", secure=True, path="/" and no domain in Python.',
    );
  }
  return value;
}

/**
 * The name the session cookie has on a request, from the configured name and
 * the attributes it is written with there: RFC 6265bis lets the browser
 * accept a `__Host-` cookie only from a secure origin, host-only, with
 * `Path=/` and `Secure`, so a sibling subdomain cannot plant or overwrite it.
 */
export function effectiveCookieName(
  name: string,
  prefix: CookiePrefix,
  attributes: { secure: boolean; domain?: string | undefined; path: string },
): string {
  if (prefix === 'none' || !attributes.secure || carriesCookiePrefix(name)) return name;
  return attributes.domain === undefined && attributes.path === '/' ? `__Host-${name}` : `__Secure-${name}`;
}
