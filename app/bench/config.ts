// Settings shared by the benchmark's routes (app/bench/) and its driver
// (bench/http/): both sides must agree on cookie names, lifetimes and key
// prefix, or the server would reject the sessions the driver prepared.
// No Next.js imports here: the driver loads this file in plain Node.
import { payloads } from '../../bench/payloads';

/** The kit's encrypted cookie. */
export const NSK_COOKIE = 'nsk';
/** The kit's Redis storage: the cookie holds an opaque token. */
export const REDIS_COOKIE = 'nskr';
export const IRON_COOKIE = 'iron';
/**
 * The name a kit cookie has on the wire under `next start`: in production
 * every cookie is Secure, so the kit sends `nsk` as `__Host-nsk`.
 */
export function kitCookieOnTheWire(name: string): string {
  return `__Host-${name}`;
}
/** Auth.js's own cookie name doubles as the JWE salt, as in Auth.js. */
export const AUTHJS_COOKIE = 'authjs.session-token';
export const REDIS_PREFIX = 'bench:';

/** Same lifetimes as the demo (app/lib/session.ts): 14 days, 1 day idle. */
export const MAX_AGE_S = 60 * 60 * 24 * 14;
export const IDLE_TIMEOUT_S = 60 * 60 * 24;

/** Header that tells the baseline route which payload to answer with. */
export const SIZE_HEADER = 'x-bench-size';

export type SizeId = '100B' | '1KB' | '3KB' | '10KB';
export const SIZE_IDS: readonly SizeId[] = ['100B', '1KB', '3KB', '10KB'];
export const DEFAULT_SIZE: SizeId = '1KB';

export type Payload = Record<string, unknown>;

function jsonBytes(data: Payload): number {
  return new TextEncoder().encode(JSON.stringify(data)).length;
}

function payloadData(id: 'small' | 'large'): Payload {
  const found = payloads.find((p) => p.id === id);
  if (found === undefined) throw new Error(`bench payload ${id} is missing`);
  return found.data;
}

/**
 * `base` grown to about `target` bytes of JSON with a browsing history of
 * small objects (what sessions grow with in practice, and costlier to parse
 * than one long string), then padded to the byte.
 */
function grown(base: Payload, target: number): Payload {
  const history: Array<{ path: string; at: number }> = [];
  const data: Payload = { ...base, history, pad: '' };
  for (let i = 0; jsonBytes(data) + 60 < target; i++) {
    history.push({ path: `/products/item-${(i * 7919) % 10007}`, at: 1767225600000 + i * 61_000 });
  }
  data.pad = 'x'.repeat(Math.max(0, target - jsonBytes(data)));
  return data;
}

const cache = new Map<SizeId, Payload>();

/**
 * The session data of each size: `1KB` is the codec benchmark's ~1 KB
 * session (bench/payloads.ts); the others are grown or trimmed from it.
 */
export function benchPayload(size: SizeId): Payload {
  let data = cache.get(size);
  if (data === undefined) {
    if (size === '1KB') data = payloadData('large');
    else if (size === '100B') data = { ...payloadData('small'), pad: 'x'.repeat(100 - 80 - 9) };
    else data = grown(payloadData('large'), size === '3KB' ? 3_000 : 10_000);
    cache.set(size, data);
  }
  return data;
}

/** UTF-8 bytes of the payload's JSON, for labels. */
export function payloadBytes(size: SizeId): number {
  return jsonBytes(benchPayload(size));
}

export function isSizeId(value: string | null | undefined): value is SizeId {
  return value !== null && value !== undefined && (SIZE_IDS as readonly string[]).includes(value);
}
