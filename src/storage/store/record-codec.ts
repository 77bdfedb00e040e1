import { createdAtFromSessionId } from '../session-id.ts';
import type { StoredRecord } from './driver.ts';

// Every stored value starts with "j" before its JSON. Upstash's client
// JSON-parses whatever it reads back; a leading "j" makes that parse fail,
// so values come back byte-for-byte on every backend.
const PREFIX = 'j';

/**
 * Encodes one data value for storage.
 *
 * @example
 * ```ts
 * encodeValue({ a: 1 }); // 'j{"a":1}'
 * ```
 */
export function encodeValue(value: unknown): string {
  return PREFIX + JSON.stringify(value);
}

/**
 * Decodes a stored value; `undefined` if it is not one we wrote.
 *
 * @example
 * ```ts
 * decodeValue('j{"a":1}'); // { a: 1 }
 * ```
 */
export function decodeValue(text: unknown): { value: unknown } | undefined {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return undefined;
  try {
    return { value: JSON.parse(text.slice(PREFIX.length)) };
  } catch {
    return undefined;
  }
}

/**
 * Validates a record read from a store (untrusted: it may be corrupt or
 * written by something else); `undefined` when it is not a session.
 *
 * @example
 * ```ts
 * const record = checkRecord({ id, lastActiveAt, data: {} });
 * ```
 */
export function checkRecord(candidate: {
  id: unknown;
  lastActiveAt: unknown;
  userId: unknown;
  data: Record<string, unknown>;
  flash?: Record<string, unknown> | undefined;
}): StoredRecord | undefined {
  const { id, lastActiveAt, userId, data, flash } = candidate;
  if (typeof id !== 'string' || createdAtFromSessionId(id) === undefined) return undefined;
  if (typeof lastActiveAt !== 'number' || !Number.isSafeInteger(lastActiveAt) || lastActiveAt < 0)
    return undefined;
  if (userId !== undefined && typeof userId !== 'string') return undefined;
  const record: StoredRecord = { id, lastActiveAt, data };
  if (userId !== undefined) record.userId = userId;
  if (flash !== undefined && Object.keys(flash).length > 0) record.flash = flash;
  return record;
}
