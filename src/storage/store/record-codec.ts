import { isRecord } from '../../is-object.ts';
import type { StoredSession } from './adapter.ts';
import { sessionStateOf } from './stored-session.ts';

// Every stored value starts with "j" before its JSON. Upstash's client
// JSON-parses whatever it reads back; a leading "j" makes that parse fail,
// so values come back byte-for-byte on every store.
const PREFIX = 'j';
const PREFIX_CODE = 0x6a;
const QUOTE_CODE = 0x22;
// After the prefix: a JSON string without escapes (no quote, backslash or
// control character inside), and a JSON integer.
const PLAIN_STRING = /^j"[\x20\x21\x23-\x5b\x5d-\uffff]*"$/;
const INTEGER = /^j-?(?:0|[1-9][0-9]*)$/;

/**
 * What {@link decodeValueOr} returns for a value the kit did not write.
 */
export const UNDECODABLE: unique symbol = Symbol('undecodable');

/**
 * Encodes one data value for storage.
 */
export function encodeValue(value: unknown): string {
  // Every save writes at least one number (the last activity): for finite
  // numbers String() and JSON.stringify agree, and String() is cheaper.
  if (typeof value === 'number' && Number.isFinite(value)) return PREFIX + String(value);
  return PREFIX + JSON.stringify(value);
}

/**
 * Decodes a stored value; {@link UNDECODABLE} if it is not one we wrote.
 * Allocates nothing beyond the value itself: a record decodes one of these
 * per field on every load.
 */
export function decodeValueOr(text: unknown): unknown {
  if (typeof text !== 'string' || text.charCodeAt(0) !== PREFIX_CODE) return UNDECODABLE;
  // Most fields are plain strings and integers; these patterns accept exactly
  // what JSON.parse would read as such, at half its cost per call.
  if (text.charCodeAt(1) === QUOTE_CODE) {
    if (PLAIN_STRING.test(text)) return text.slice(2, -1);
  } else if (INTEGER.test(text)) return Number(text.slice(1));
  try {
    return JSON.parse(text.slice(1));
  } catch {
    return UNDECODABLE;
  }
}

/**
 * Decodes a stored value; `undefined` if it is not one we wrote.
 */
export function decodeValue(text: unknown): { value: unknown } | undefined {
  const value = decodeValueOr(text);
  return value === UNDECODABLE ? undefined : { value };
}

/**
 * A whole session as one string, for stores that keep a session in a single
 * value (Memcached, the in-memory store, a document or a text column): short
 * field names (`i`, `a`, `u`, `v`, `d`, `f`) and the kit's value encoding,
 * which comes back unchanged through clients that parse JSON by themselves.
 * Only the fields of a {@link StoredSession} are written.
 *
 * @example
 * ```ts
 * import { encodeStoredSession } from 'next-session-kit/store';
 * await client.set(key, encodeStoredSession(session), { expires });
 * ```
 */
export function encodeStoredSession(session: StoredSession): string {
  return encodeValue({
    i: session.id,
    a: session.lastActiveAt,
    u: session.userId,
    v: session.version,
    d: session.data,
    f: session.flash,
  });
}

/**
 * Reads what {@link encodeStoredSession} wrote: `undefined` for text that is
 * not such a session (stored data is untrusted too), which a store's `get()`
 * returns as is, so the kit reports an invalid session.
 *
 * @example
 * ```ts
 * import { decodeStoredSession } from 'next-session-kit/store';
 * const session = text === null ? null : decodeStoredSession(text);
 * ```
 */
export function decodeStoredSession(text: string): StoredSession | undefined {
  const value = decodeValue(text)?.value;
  if (!isRecord(value)) return undefined;
  const { i, a, u, v, d, f } = value;
  // Same property order as a state the engine creates, so both share one shape.
  const session = { id: i, data: d, createdAt: Number.NaN, lastActiveAt: a } as StoredSession;
  if (u !== undefined) session.userId = u as string;
  if (v !== undefined) session.version = v as number;
  if (f !== undefined) session.flash = f as Record<string, unknown>;
  return sessionStateOf(session);
}
