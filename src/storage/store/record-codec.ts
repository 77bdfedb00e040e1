import { isPlainObject } from '../envelope.ts';
import { createdAtFromSessionId } from '../session-id.ts';
import type { StoredRecord } from './driver.ts';

// Every stored value starts with "j" before its JSON. Upstash's client
// JSON-parses whatever it reads back; a leading "j" makes that parse fail,
// so values come back byte-for-byte on every backend.
const PREFIX = 'j';
const PREFIX_CODE = 0x6a;
const QUOTE_CODE = 0x22;
// After the prefix: a JSON string without escapes (no quote, backslash or
// control character inside), and a JSON integer.
const PLAIN_STRING = /^j"[\x20\x21\x23-\x5b\x5d-\uffff]*"$/;
const INTEGER = /^j-?(?:0|[1-9][0-9]*)$/;

/**
 * What {@link decodeValueOr} returns for a value the kit did not write.
 *
 * @example
 * ```ts
 * if (decodeValueOr(text) === UNDECODABLE) return 'corrupt';
 * ```
 */
export const UNDECODABLE: unique symbol = Symbol('undecodable');

/**
 * Encodes one data value for storage.
 *
 * @example
 * ```ts
 * encodeValue({ a: 1 }); // 'j{"a":1}'
 * ```
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
 *
 * @example
 * ```ts
 * decodeValueOr('j{"a":1}'); // { a: 1 }
 * decodeValueOr('{"a":1}'); // UNDECODABLE
 * ```
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
 *
 * @example
 * ```ts
 * decodeValue('j{"a":1}'); // { value: { a: 1 } }
 * ```
 */
export function decodeValue(text: unknown): { value: unknown } | undefined {
  const value = decodeValueOr(text);
  return value === UNDECODABLE ? undefined : { value };
}

/**
 * Validates a record read from a store (untrusted: it may be corrupt or
 * written by something else); `undefined` when it is not a session. The
 * creation time is decoded from the id here, once per load.
 *
 * @example
 * ```ts
 * const record = checkRecord({ id, lastActiveAt, userId: undefined, data: {} });
 * record?.createdAt; // from the id
 * ```
 */
export function checkRecord(candidate: {
  id: unknown;
  lastActiveAt: unknown;
  userId: unknown;
  data: Record<string, unknown>;
  flash?: Record<string, unknown> | undefined;
  version?: unknown;
}): StoredRecord | undefined {
  const { id, lastActiveAt, userId, data, flash, version } = candidate;
  if (typeof id !== 'string') return undefined;
  const createdAt = createdAtFromSessionId(id);
  if (createdAt === undefined) return undefined;
  if (typeof lastActiveAt !== 'number' || !Number.isSafeInteger(lastActiveAt) || lastActiveAt < 0)
    return undefined;
  if (userId !== undefined && typeof userId !== 'string') return undefined;
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1))
    return undefined;
  // Same property order as a state the engine creates, so both share one shape.
  const record: StoredRecord = { id, data, createdAt, lastActiveAt };
  if (userId !== undefined) record.userId = userId;
  if (version !== undefined && version !== 1) record.version = version;
  if (flash !== undefined && hasKeys(flash)) record.flash = flash;
  return record;
}

/**
 * A whole record as one string, for stores that keep a session in a single
 * value (Memcached, the in-memory store): short field names, the kit's value
 * encoding.
 *
 * @example
 * ```ts
 * await client.set(key, encodeWholeRecord(record), { expires });
 * ```
 */
export function encodeWholeRecord(record: StoredRecord): string {
  return encodeValue({
    i: record.id,
    a: record.lastActiveAt,
    u: record.userId,
    v: record.version,
    d: record.data,
    f: record.flash,
  });
}

/**
 * Reads what {@link encodeWholeRecord} wrote; anything malformed is `'corrupt'`
 * (stored data is untrusted too).
 *
 * @example
 * ```ts
 * const record = decodeWholeRecord(text); // StoredRecord | 'corrupt'
 * ```
 */
export function decodeWholeRecord(text: string): StoredRecord | 'corrupt' {
  const value = decodeValue(text)?.value;
  if (!isPlainObject(value)) return 'corrupt';
  const { i, a, u, v, d, f } = value;
  if (!isPlainObject(d)) return 'corrupt';
  if (f !== undefined && !isPlainObject(f)) return 'corrupt';
  return checkRecord({ id: i, lastActiveAt: a, userId: u, data: d, flash: f, version: v }) ?? 'corrupt';
}

function hasKeys(object: Record<string, unknown>): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
