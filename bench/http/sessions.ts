import { encode as authEncode } from '@auth/core/jwt';
import type { Redis } from 'ioredis';
import { sealData as ironSeal } from 'iron-session';
import {
  AUTHJS_COOKIE,
  IDLE_TIMEOUT_S,
  IRON_COOKIE,
  MAX_AGE_S,
  NSK_COOKIE,
  type Payload,
  REDIS_COOKIE,
  REDIS_PREFIX,
} from '../../app/bench/config.ts';
import { replaceSession } from '../../src/engine/sign-in.ts';
import { SessionEngine } from '../../src/engine.ts';
import { redisStorage } from '../../src/entries/redis.ts';
import type { SessionImpl } from '../../src/session.ts';
import { encryptedCookieStorage } from '../../src/storage/encrypted-cookie.ts';
import { createSessionId } from '../../src/storage/session-id.ts';
import type { BoundStorage, SessionStorage } from '../../src/storage/types.ts';
import type { CookieJar } from '../../src/types.ts';

// The driver prepares every session itself, with the same code and settings
// as the server (the kit's engine, iron-session's sealData, Auth.js's
// encode), then checks each route answers it with the data it holds.

/** The demo's cookie name and lifetimes (app/lib/session.ts defaults), for the guard in proxy.ts. */
const DEMO_COOKIE = 'session';
const HOUR_MS = 3_600_000;
/** A signed-in demo session: what the demo's schema (app/lib/session.ts) accepts. */
export const DEMO_DATA: Payload = { user: 'Ada Lovelace', count: 42 };

/** Runs the kit's engine as a route would (new session, set keys, save) and returns the Cookie header. */
async function viaEngine(engine: SessionEngine, data: Payload, userId?: string): Promise<string> {
  const cookies = new Map<string, string>();
  const jar: CookieJar = {
    get: () => undefined,
    getAll: () => [],
    set: (name, value, options) => {
      if (options.maxAge === 0) cookies.delete(name);
      else cookies.set(name, value);
    },
  };
  // As on the server (`next start`, production): Secure, so named `__Host-…`.
  const session: SessionImpl<Payload> = replaceSession(
    engine,
    undefined,
    (s) => engine.commit(s, jar, true),
    {
      userId,
      keepData: false,
      device: {},
    },
  );
  for (const [key, value] of Object.entries(data)) session.set(key, value);
  await session.save();
  if (cookies.size === 0) throw new Error('the kit wrote no cookie');
  return [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
}

const lifetimes = { maxAge: MAX_AGE_S, idleTimeout: IDLE_TIMEOUT_S };

/** The kit's encrypted cookie (chunked past ~4 KB, as the kit writes it). */
export function nskCookie(secret: string, data: Payload): Promise<string> {
  const engine = new SessionEngine({
    storage: encryptedCookieStorage({ secret }),
    cookieName: NSK_COOKIE,
    ...lifetimes,
  });
  return viaEngine(engine, data);
}

/**
 * The demo's own session cookie, signed in, for proxy.ts (its data must pass
 * the demo's schema, or the guard sees a fresh session). `ageMs` back-dates
 * it: the guard re-issues a cookie whose last activity is an hour or more
 * old (a tenth of the demo's 1-day idle timeout, at most an hour).
 */
export function demoCookie(secret: string, ageMs = 0): Promise<string> {
  const engine = new SessionEngine({
    storage: encryptedCookieStorage({ secret }),
    cookieName: DEMO_COOKIE,
    ...lifetimes,
    now: () => Date.now() - ageMs,
  });
  return viaEngine(engine, DEMO_DATA, 'bench-user');
}

export const REFRESH_AGE_MS = 2 * HOUR_MS;

/**
 * The demo's signed-in session in a store, as the demo's kit configures it
 * (`SESSION_STORAGE=redis|kv`: default key prefix, cookie name and lifetimes):
 * the record goes to the store, the returned Cookie header holds its token.
 */
export function demoStoreCookie(storage: SessionStorage): Promise<string> {
  const engine = new SessionEngine({ storage, cookieName: DEMO_COOKIE, ...lifetimes });
  return viaEngine(engine, DEMO_DATA, 'bench-user');
}

export async function ironCookie(secret: string, data: Payload): Promise<string> {
  return `${IRON_COOKIE}=${await ironSeal(data, { password: secret, ttl: MAX_AGE_S })}`;
}

export async function authjsCookie(secret: string, data: Payload): Promise<string> {
  const token = await authEncode({ token: data, secret, salt: AUTHJS_COOKIE, maxAge: MAX_AGE_S });
  return `${AUTHJS_COOKIE}=${token}`;
}

/** The Redis storage, exactly as the server's kit is configured (same prefix and lifetimes). */
export function redisEngine(client: Redis): SessionEngine {
  return new SessionEngine({
    storage: redisStorage({ client, keyPrefix: REDIS_PREFIX }),
    cookieName: REDIS_COOKIE,
    ...lifetimes,
  });
}

export function redisCookie(engine: SessionEngine, data: Payload): Promise<string> {
  return viaEngine(engine, data);
}

/**
 * Writes one session through the bound storage itself (the record and the
 * SAVE script the kit uses); returns the cookie token. Many in flight on an
 * auto-pipelining client make the bulk load fast.
 */
export async function storeSession(storage: BoundStorage, data: Payload, now: number): Promise<string> {
  const state = { id: createSessionId(now), data, createdAt: now, lastActiveAt: now };
  const token = await storage.save({
    state,
    handle: undefined,
    previous: [],
    changedKeys: [],
    cleared: true,
    expiresAt: now + MAX_AGE_S * 1000,
  });
  if (token === null) throw new Error('redis storage refused to create a session');
  return token;
}
