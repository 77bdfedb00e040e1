import { base64urlEncode, sextet } from '../codec/base64url.ts';

// 42 bits of milliseconds (until year 2109) followed by 30 random bits: 9 bytes,
// 12 base64url characters. The id carries the creation time so the cookie
// payload needs no separate field for it, which keeps small cookies small.
const ID_BYTES = 9;
const ID_LENGTH = 12;
const RANDOM_BITS = 30;
const MAX_MS = 2 ** 42;

/**
 * Creates a session id that encodes `createdAt` (ms) and 30 random bits.
 */
export function createSessionId(createdAt: number): string {
  if (!Number.isSafeInteger(createdAt) || createdAt < 0 || createdAt >= MAX_MS) {
    throw new RangeError('createdAt is out of range for a session id');
  }
  const random = new Uint32Array(1);
  crypto.getRandomValues(random);
  const rand = (random[0] ?? 0) >>> (32 - RANDOM_BITS);
  const bytes = new Uint8Array(ID_BYTES);
  // Top 42 bits: time. Written as 5 whole bytes (40 bits) + 2 bits.
  const high = Math.floor(createdAt / 4); // 40 bits
  let rest = high;
  for (let i = 4; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  const low2 = createdAt % 4; // 2 bits
  // Remaining 32 bits: 2 bits of time then 30 bits of randomness.
  const tail = ((low2 << RANDOM_BITS) | rand) >>> 0;
  bytes[5] = (tail >>> 24) & 0xff;
  bytes[6] = (tail >>> 16) & 0xff;
  bytes[7] = (tail >>> 8) & 0xff;
  bytes[8] = tail & 0xff;
  return base64urlEncode(bytes);
}

/**
 * Reads the creation time back out of a session id; `undefined` if the id is
 * not one this module made.
 */
export function createdAtFromSessionId(id: string): number | undefined {
  if (id.length !== ID_LENGTH) return undefined;
  // Straight off the characters: this runs on every request, so no decode
  // into bytes. The first 7 characters hold 42 bits, exactly the timestamp.
  let ms = 0;
  for (let i = 0; i < ID_LENGTH; i++) {
    const value = sextet(id.charCodeAt(i));
    if (value === undefined) return undefined;
    if (i < 7) ms = ms * 64 + value;
  }
  return ms;
}
