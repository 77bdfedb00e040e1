import type { SessionData } from '../types.ts';
import { createdAtFromSessionId } from './session-id.ts';
import type { SessionState } from './types.ts';

// Cookie payload: a JSON array `[data, id]` or `[data, id, meta]`. An array
// instead of an object keeps a small session's cookie ~15 bytes shorter; the
// creation time lives inside `id`. `meta` holds only what is set:
//   a: seconds from creation to last activity (idle timeout), u: user id.
interface Meta {
  a?: number;
  u?: string;
}

/**
 * Serialises a session for a cookie payload.
 *
 * @example
 * ```ts
 * encodeEnvelope({ id, data: { user: 'ada' }, createdAt, lastActiveAt }, false); // '[{"user":"ada"},"AZq3x0f2Kd9w"]'
 * ```
 */
export function encodeEnvelope(state: SessionState, trackActivity: boolean): string {
  const meta: Meta = {};
  let hasMeta = false;
  if (trackActivity && state.lastActiveAt > state.createdAt) {
    meta.a = Math.floor((state.lastActiveAt - state.createdAt) / 1000);
    hasMeta = meta.a > 0;
    if (!hasMeta) delete meta.a;
  }
  if (state.userId !== undefined) {
    meta.u = state.userId;
    hasMeta = true;
  }
  const idJson = JSON.stringify(state.id);
  const dataJson = JSON.stringify(state.data);
  return hasMeta ? `[${dataJson},${idJson},${JSON.stringify(meta)}]` : `[${dataJson},${idJson}]`;
}

/**
 * Parses a cookie payload; `undefined` for anything not of the expected shape
 * (untrusted input: decrypted is not the same as well-formed).
 *
 * @example
 * ```ts
 * decodeEnvelope('[{"user":"ada"},"AZq3x0f2Kd9w"]')?.data.user; // 'ada'
 * ```
 */
export function decodeEnvelope(json: string): SessionState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length < 2 || parsed.length > 3) return undefined;
  const [data, id, meta] = parsed as [unknown, unknown, unknown];
  if (!isPlainObject(data) || typeof id !== 'string') return undefined;
  const createdAt = createdAtFromSessionId(id);
  if (createdAt === undefined) return undefined;
  let lastActiveAt = createdAt;
  let userId: string | undefined;
  if (meta !== undefined) {
    if (!isPlainObject(meta)) return undefined;
    const { a, u } = meta;
    if (a !== undefined) {
      if (typeof a !== 'number' || !Number.isSafeInteger(a) || a < 0) return undefined;
      lastActiveAt = createdAt + a * 1000;
    }
    if (u !== undefined) {
      if (typeof u !== 'string') return undefined;
      userId = u;
    }
  }
  const state: SessionState = { id, data: data as SessionData, createdAt, lastActiveAt };
  if (userId !== undefined) state.userId = userId;
  return state;
}

/**
 * True for a JSON object (not an array, not null).
 *
 * @example
 * ```ts
 * isPlainObject({}); // true
 * isPlainObject([]); // false
 * ```
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
