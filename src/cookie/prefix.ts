/**
 * A cookie name prefix of RFC 6265bis, spelled canonically.
 *
 * @internal
 * @example
 * ```ts
 * const prefix: CookiePrefix = '__Host-';
 * ```
 */
export type CookiePrefix = '__Host-Http-' | '__Host-' | '__Http-' | '__Secure-';

// Longest first: "__Host-Http-" also starts with "__Host-".
const PREFIXES: readonly CookiePrefix[] = ['__Host-Http-', '__Host-', '__Http-', '__Secure-'];

/**
 * The prefix a cookie name starts with, matched case-insensitively as
 * browsers do (RFC 6265bis): "__host-session" is a "__Host-" cookie to them,
 * so it gets the same rules here. Every prefix requires Secure; "__Host-"
 * also no Domain and Path=/; "__Http-" and "__Host-Http-" also HttpOnly.
 *
 * @internal
 * @example
 * ```ts
 * cookiePrefix('__host-session'); // '__Host-'
 * cookiePrefix('session'); // undefined
 * ```
 */
export function cookiePrefix(name: string): CookiePrefix | undefined {
  const start = name.slice(0, 12).toLowerCase();
  return PREFIXES.find((prefix) => start.startsWith(prefix.toLowerCase()));
}
