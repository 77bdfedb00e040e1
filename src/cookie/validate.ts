import { SessionConfigError } from '../errors.ts';
import type { CookieOptions, SameSite } from '../types.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import { cookiePrefix } from './prefix.ts';

// RFC 6265 §4.1.1 cookie-name = token (RFC 7230 tchar). Anything else (`;`,
// `=`, spaces, CR/LF, non-ASCII) could inject attributes or split headers.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A domain is letters, digits, hyphens and dots; an optional leading dot is
// tolerated because browsers ignore it.
const DOMAIN =
  /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
// RFC 6265 path-value: any CHAR except CTLs and `;`. We also refuse spaces,
// commas and non-ASCII so the value survives every proxy unchanged.
const PATH = /^\/[\x21-\x2b\x2d-\x3a\x3c-\x7e]*$/;
/**
 * Whether `name` is a cookie name the kit can write (an RFC 7230 token of at
 * most 128 characters): for names other options give, such as a migration
 * source's.
 *
 * @internal
 */
export function isCookieNameToken(name: unknown): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= 128 && TOKEN.test(name);
}

/**
 * Whether `value` is a `Domain` attribute the kit writes as is.
 *
 * @internal
 */
export function isCookieDomain(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 253 && DOMAIN.test(value);
}

/**
 * Whether `value` is a `Path` attribute the kit writes as is.
 *
 * @internal
 */
export function isCookiePath(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 1024 && PATH.test(value);
}

const SAME_SITE: readonly SameSite[] = ['lax', 'strict', 'none'];
const COOKIE_OPTION_KEYS = ['domain', 'path', 'sameSite', 'secure', 'httpOnly', 'prefix'];

/**
 * Cookie attributes after validation, with defaults applied.
 */
export interface ResolvedCookieOptions {
  domain: string | undefined;
  path: string;
  sameSite: SameSite;
  secure: 'auto' | boolean;
  httpOnly: boolean;
}

/**
 * Validates a cookie name; throws `SessionConfigError` explaining the fix.
 */
export function validateCookieName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new SessionConfigError('`cookieName` must be a non-empty string such as "session".');
  }
  if (name.length > 128 || !TOKEN.test(name)) {
    throw new SessionConfigError(
      "`cookieName` may only contain letters, digits and !#$%&'*+-.^_`|~ (no spaces, `;`, `=`, " +
        'control or non-ASCII characters) and be at most 128 characters, e.g. "session" or "__Host-session".',
    );
  }
  if (/\.\d+$/.test(name)) {
    throw new SessionConfigError(
      '`cookieName` must not end in ".<number>": that suffix is reserved for chunks of large sessions ' +
        '("session.0", "session.1", …). Choose a name such as "session".',
    );
  }
  return name;
}

/**
 * Validates the `cookie` option against the cookie name's prefix rules
 * (matched case-insensitively, see {@link cookiePrefix}) and returns it with
 * defaults applied.
 */
export function resolveCookieOptions(
  name: string,
  options: CookieOptions | undefined,
): ResolvedCookieOptions {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new SessionConfigError('`cookie` must be an object such as { sameSite: "lax" }.');
  }
  const given = options ?? {};
  rejectUnknownOptions(given, COOKIE_OPTION_KEYS, 'cookie option');
  const domain = given.domain;
  if (domain !== undefined && (typeof domain !== 'string' || domain.length > 253 || !DOMAIN.test(domain))) {
    throw new SessionConfigError(
      '`cookie.domain` must be a plain host name such as "example.com" (letters, digits, "-" and "."; ' +
        'no scheme, port, path, spaces, ";" or line breaks). Leave it unset for a host-only cookie.',
    );
  }
  const path = given.path ?? '/';
  if (typeof path !== 'string' || path.length > 1024 || !PATH.test(path)) {
    throw new SessionConfigError(
      '`cookie.path` must start with "/" and contain only printable ASCII without ";", "," or spaces, e.g. "/".',
    );
  }
  const sameSite = given.sameSite ?? 'lax';
  if (!SAME_SITE.includes(sameSite)) {
    throw new SessionConfigError('`cookie.sameSite` must be "lax", "strict" or "none".');
  }
  const secure = given.secure ?? 'auto';
  if (secure !== 'auto' && typeof secure !== 'boolean') {
    throw new SessionConfigError('`cookie.secure` must be "auto", true or false.');
  }
  const httpOnly = given.httpOnly ?? true;
  if (typeof httpOnly !== 'boolean') {
    throw new SessionConfigError('`cookie.httpOnly` must be true or false.');
  }
  if (sameSite === 'none' && secure === false) {
    throw new SessionConfigError(
      '`cookie.sameSite: "none"` requires a Secure cookie; browsers drop it otherwise. Use secure: "auto" or true.',
    );
  }
  checkPrefixRules(name, { domain, path, secure, httpOnly });
  return { domain, path, sameSite, secure, httpOnly };
}

// What the cookie name's prefix demands of its attributes.
function checkPrefixRules(
  name: string,
  { domain, path, secure, httpOnly }: Pick<ResolvedCookieOptions, 'domain' | 'path' | 'secure' | 'httpOnly'>,
): void {
  const prefix = cookiePrefix(name);
  if (prefix === undefined) return;
  // Browsers match prefixes case-insensitively, so "__host-" gets the rules too.
  const written = name.slice(0, prefix.length);
  const what =
    written === prefix
      ? `A "${prefix}" cookie`
      : `The name starts with "${written}", which is the "${prefix}" prefix to browsers: such a cookie`;
  if (secure === false) {
    throw new SessionConfigError(`${what} must be Secure: remove \`cookie.secure: false\`.`);
  }
  if (prefix.endsWith('Http-') && !httpOnly) {
    throw new SessionConfigError(`${what} must be HttpOnly: remove \`cookie.httpOnly: false\`.`);
  }
  if (prefix.startsWith('__Host-') && domain !== undefined) {
    throw new SessionConfigError(`${what} must not have a Domain: remove \`cookie.domain\`.`);
  }
  if (prefix.startsWith('__Host-') && path !== '/') {
    throw new SessionConfigError(`${what} must have Path=/: remove \`cookie.path\` or set it to "/".`);
  }
}
