import { SessionTooLargeError } from '../errors.ts';
import type { CookieJar, CookieWriteOptions } from '../types.ts';

// Browsers keep at most 4096 bytes of name + value per cookie, and some
// count attributes too; we budget the whole `Set-Cookie` line so every
// browser and proxy keeps every chunk.
const COOKIE_LINE_LIMIT = 4096;
// More chunks than this are never read back, whatever `maxChunks` says: a
// hostile Cookie header with 100 chunks is refused without being joined.
const HARD_CHUNK_CAP = 16;

/**
 * A session cookie as read from a request.
 *
 * @example
 * ```ts
 * const read = readChunkedCookie(jar, 'session', 4);
 * if (read.status === 'present') console.log(read.value.length);
 * ```
 */
export type ChunkedRead =
  | { status: 'absent'; names: string[] }
  | { status: 'present'; value: string; names: string[] }
  | { status: 'malformed'; names: string[] };

/**
 * Reads the cookie `name`, or reassembles `name.0 … name.N`. Only cookies
 * named exactly `^name(\.\d+)?$` are looked at. Missing or surplus chunks
 * make the value `malformed` (it is then treated as an invalid session), and
 * so does a whole `name` next to any `name.N`: the kit never leaves both (see
 * {@link writeChunkedCookie}), so one of them was planted, and a rule that
 * picked either would let whoever planted it choose the session.
 *
 * @example
 * ```ts
 * readChunkedCookie(await cookies(), 'session', 4);
 * ```
 */
export function readChunkedCookie(jar: CookieJar, name: string, maxChunks: number): ChunkedRead {
  const names: string[] = [];
  const chunks = new Map<number, string>();
  let whole: string | undefined;
  let tooMany = false;
  const prefix = `${name}.`;
  for (const cookie of jar.getAll()) {
    if (cookie.name === name) {
      names.push(cookie.name);
      whole = cookie.value;
      continue;
    }
    if (!cookie.name.startsWith(prefix)) continue;
    const index = parseChunkIndex(cookie.name.slice(prefix.length));
    if (index === undefined) continue;
    names.push(cookie.name);
    if (index >= Math.min(maxChunks, HARD_CHUNK_CAP)) {
      tooMany = true;
      continue;
    }
    chunks.set(index, cookie.value);
  }
  if (whole !== undefined && (chunks.size > 0 || tooMany)) return { status: 'malformed', names };
  if (chunks.size === 0 && !tooMany) {
    return whole === undefined || whole === ''
      ? { status: 'absent', names }
      : { status: 'present', value: whole, names };
  }
  if (tooMany) return { status: 'malformed', names };
  const parts: string[] = [];
  for (let i = 0; i < chunks.size; i++) {
    const part = chunks.get(i);
    if (part === undefined || part === '') return { status: 'malformed', names };
    parts.push(part);
  }
  return { status: 'present', value: parts.join(''), names };
}

/**
 * Writes `value` as one cookie or as chunks, and expires every other name of
 * the session's cookies: those in `existing` (what the request carried) and
 * every name {@link cookieFamily} allows, seen or not. Two concurrent
 * requests may answer in any order; since each response sets the whole
 * family, the browser ends up with exactly what one of them wrote, never a
 * mix of one's `name` and the other's `name.N`. Throws
 * `SessionTooLargeError` before writing anything when more than `maxChunks`
 * would be needed.
 *
 * @example
 * ```ts
 * const written = writeChunkedCookie(jar, 'session', sealed, attrs, read.names, 4);
 * ```
 */
export function writeChunkedCookie(
  jar: CookieJar,
  name: string,
  value: string,
  options: CookieWriteOptions,
  existing: readonly string[],
  maxChunks: number,
): string[] {
  const size = chunkSize(name, options);
  const count = Math.max(1, Math.ceil(value.length / size));
  if (count > maxChunks) {
    throw new SessionTooLargeError(value.length, size * maxChunks);
  }
  const written: string[] = [];
  if (count === 1) {
    jar.set(name, value, options);
    written.push(name);
  } else {
    for (let i = 0; i < count; i++) {
      const chunkName = `${name}.${i}`;
      jar.set(chunkName, value.slice(i * size, (i + 1) * size), options);
      written.push(chunkName);
    }
  }
  const keep = new Set(written);
  for (const old of new Set([...cookieFamily(name, maxChunks), ...existing])) {
    if (!keep.has(old)) jar.set(old, '', expired(options));
  }
  return written;
}

/**
 * Expires every cookie of the session: those in `existing` and every name
 * {@link cookieFamily} allows (a concurrent request may have written chunks
 * this one never saw), repeating the attributes they were set with so
 * `__Host-`/`Secure` cookies really clear.
 *
 * @example
 * ```ts
 * clearChunkedCookie(jar, 'session', read.names, attrs, 4);
 * ```
 */
export function clearChunkedCookie(
  jar: CookieJar,
  name: string,
  existing: readonly string[],
  options: CookieWriteOptions,
  maxChunks: number,
): void {
  const attrs = expired(options);
  for (const old of new Set([...cookieFamily(name, maxChunks), ...existing])) jar.set(old, '', attrs);
}

/**
 * Every name a session cookie may be written under: `name`, and `name.0 …
 * name.<maxChunks - 1>` when chunking is allowed.
 *
 * @example
 * ```ts
 * cookieFamily('session', 2); // ['session', 'session.0', 'session.1']
 * ```
 */
export function cookieFamily(name: string, maxChunks: number): string[] {
  const names = [name];
  const count = Math.min(maxChunks, HARD_CHUNK_CAP);
  if (count > 1) for (let i = 0; i < count; i++) names.push(`${name}.${i}`);
  return names;
}

/**
 * The largest value one chunk may carry for this name and these attributes.
 *
 * @example
 * ```ts
 * chunkSize('session', attrs); // ≈ 3990
 * ```
 */
export function chunkSize(name: string, options: CookieWriteOptions): number {
  // `name.NN=` plus the serialised attributes, as Next writes them.
  const nameCost = name.length + 4;
  let attrs = `; Path=${options.path}; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=${Math.max(0, options.maxAge)}`;
  if (options.domain !== undefined) attrs += `; Domain=${options.domain}`;
  if (options.secure) attrs += '; Secure';
  if (options.httpOnly) attrs += '; HttpOnly';
  attrs += `; SameSite=${options.sameSite}`;
  return COOKIE_LINE_LIMIT - nameCost - attrs.length - '; Partitioned; Priority=medium'.length;
}

function expired(options: CookieWriteOptions): CookieWriteOptions {
  return { ...options, maxAge: 0, expires: new Date(0) };
}

// Decimal without leading zeros, so "01" and "1" cannot both claim index 1.
function parseChunkIndex(suffix: string): number | undefined {
  if (!/^(0|[1-9]\d{0,2})$/.test(suffix)) return undefined;
  return Number(suffix);
}
