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
 */
export type ChunkedRead =
  | { status: 'absent'; names: string[] }
  | { status: 'present'; value: string; names: string[] }
  | { status: 'malformed'; names: string[] };

/**
 * Reads the cookie `name`, or reassembles `name.0 … name.N`. Only cookies
 * named exactly `^name(\.\d+)?$` are looked at, and empty ones count as
 * absent. A chunked value starts at `name.0`: without it, other `name.N` are
 * leftovers of an older value and never read (still listed in `names`, so
 * the next write expires them).
 * Missing or surplus chunks make the value `malformed` (it is then treated
 * as an invalid session), and so does a whole `name` next to `name.0`: the
 * kit never leaves both (see {@link writeChunkedCookie}), so one of them was
 * planted, and a rule that picked either would let whoever planted it choose
 * the session.
 */
export function readChunkedCookie(jar: CookieJar, name: string, maxChunks: number): ChunkedRead {
  const names: string[] = [];
  const chunks = new Map<number, string>();
  let whole: string | undefined;
  let tooMany = false;
  const prefix = `${name}.`;
  for (const cookie of jar.getAll()) {
    // Next hands a cookie deleted earlier in the request (by proxy.ts) to the
    // render without a value at all.
    const value = typeof cookie.value === 'string' ? cookie.value : '';
    if (cookie.name === name) {
      names.push(cookie.name);
      whole = value;
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
    // An empty cookie carries no part of any value (a deletion a client
    // replayed, say): it neither starts nor fills a chunked value.
    if (value !== '') chunks.set(index, value);
    else chunks.delete(index);
  }
  if (tooMany) return { status: 'malformed', names };
  if (!chunks.has(0)) {
    return whole === undefined || whole === ''
      ? { status: 'absent', names }
      : { status: 'present', value: whole, names };
  }
  if (whole !== undefined && whole !== '') return { status: 'malformed', names };
  const parts: string[] = [];
  for (let i = 0; i < chunks.size; i++) {
    const part = chunks.get(i);
    if (part === undefined) return { status: 'malformed', names };
    parts.push(part);
  }
  return { status: 'present', value: parts.join(''), names };
}

/**
 * Writes `value` as one cookie or as chunks, and expires every other cookie
 * of the session the request carried (`existing`), plus the names a
 * concurrent request may have written unseen: `name.0` after a whole
 * cookie, and `name` and every later chunk slot after chunks. Responses may
 * land in any order; whichever lands last leaves exactly its own value
 * readable (leftover `name.N` without `name.0` are never read), never a mix
 * of one's `name` and the other's `name.0`. Throws `SessionTooLargeError`
 * before writing anything when more than `maxChunks` would be needed.
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
  for (const old of new Set([...unseenRivals(name, count, maxChunks), ...existing])) {
    if (!keep.has(old)) jar.set(old, '', expired(options));
  }
  return written;
}

/**
 * Expires every cookie of the session: those in `existing`, and `name` and
 * `name.0` even if unseen (a concurrent request may have written them; any
 * later chunk left behind is never read without `name.0`), repeating the
 * attributes they were set with so `__Host-`/`Secure` cookies really clear.
 */
export function clearChunkedCookie(
  jar: CookieJar,
  name: string,
  existing: readonly string[],
  options: CookieWriteOptions,
  maxChunks: number,
): void {
  const attrs = expired(options);
  const rivals = maxChunks > 1 ? [name, `${name}.0`] : [name];
  for (const old of new Set([...rivals, ...existing])) jar.set(old, '', attrs);
}

// What a concurrent request may have written that this write of `count`
// cookies must expire: `name.0` (the start of any chunked value) after a whole
// cookie; after chunks, `name` and the chunk slots past this value's end, so
// a longer rival value cannot leave its tail joined to this one.
function unseenRivals(name: string, count: number, maxChunks: number): string[] {
  const limit = Math.min(maxChunks, HARD_CHUNK_CAP);
  if (limit <= 1) return [];
  if (count === 1) return [`${name}.0`];
  const names = [name];
  for (let i = count; i < limit; i++) names.push(`${name}.${i}`);
  return names;
}

/**
 * The largest value one chunk may carry for this name and these attributes.
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
