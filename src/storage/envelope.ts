import { isRecord } from '../is-object.ts';
import type { SessionData } from '../types.ts';
import { createdAtFromSessionId } from './session-id.ts';
import type { SessionState } from './types.ts';

// Cookie payload: a JSON array `[data, id]` or `[data, id, meta]`. An array
// instead of an object keeps a small session's cookie ~15 bytes shorter; the
// creation time lives inside `id`. `meta` holds only what is set:
//   a: seconds from creation to last activity (idle timeout), u: user id,
//   f: pending flash messages, v: flash messages shown to this render (only
//   ever in the cookie the proxy forwards to the render, never the browser's),
//   n: the data version, when not 1.
interface Meta {
  a?: number;
  n?: number;
  u?: string;
  f?: Record<string, unknown>;
  v?: Record<string, unknown>;
}

/**
 * Serialises a session for a cookie payload.
 */
export function encodeEnvelope(state: SessionState, trackActivity: boolean, includeShown = false): string {
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
  if (state.version !== undefined && state.version !== 1) {
    meta.n = state.version;
    hasMeta = true;
  }
  if (state.flash !== undefined && Object.keys(state.flash).length > 0) {
    meta.f = state.flash;
    hasMeta = true;
  }
  if (includeShown && state.shown !== undefined && Object.keys(state.shown).length > 0) {
    meta.v = state.shown;
    hasMeta = true;
  }
  const idJson = JSON.stringify(state.id);
  const dataJson = JSON.stringify(state.data);
  return hasMeta ? `[${dataJson},${idJson},${JSON.stringify(meta)}]` : `[${dataJson},${idJson}]`;
}

/**
 * Parses a cookie payload; `undefined` for anything not of the expected shape
 * (untrusted input: decrypted is not the same as well-formed).
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
  if (!isRecord(data) || typeof id !== 'string') return undefined;
  const createdAt = createdAtFromSessionId(id);
  if (createdAt === undefined) return undefined;
  let lastActiveAt = createdAt;
  let userId: string | undefined;
  let version: number | undefined;
  if (meta !== undefined) {
    if (!isRecord(meta)) return undefined;
    const { a, u, f, v, n } = meta;
    if (n !== undefined) {
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) return undefined;
      version = n;
    }
    if (a !== undefined) {
      if (typeof a !== 'number' || !Number.isSafeInteger(a) || a < 0) return undefined;
      lastActiveAt = createdAt + a * 1000;
    }
    if (u !== undefined) {
      if (typeof u !== 'string') return undefined;
      userId = u;
    }
    if ((f !== undefined && !isRecord(f)) || (v !== undefined && !isRecord(v))) return undefined;
  }
  const state: SessionState = { id, data: data as SessionData, createdAt, lastActiveAt };
  if (userId !== undefined) state.userId = userId;
  if (version !== undefined) state.version = version;
  if (isRecord(meta)) {
    if (isRecord(meta.f)) state.flash = meta.f;
    if (isRecord(meta.v)) state.shown = meta.v;
  }
  return state;
}
