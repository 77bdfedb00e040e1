import 'server-only';
import { Redis } from 'ioredis';
import { createSessionKit, encryptedCookieStorage, type SessionKit } from 'next-session-kit';
import { redisStorage } from 'next-session-kit/redis';
import { IDLE_TIMEOUT_S, MAX_AGE_S, NSK_COOKIE, REDIS_COOKIE, REDIS_PREFIX } from './config';

// Kits of `npm run bench:http` (bench/http/), apart from the demo's: routes
// under /bench answer 404 unless the server was started with BENCH_ROUTES=1,
// so a normal `next start` of the demo exposes nothing of this.

export const NO_STORE = { 'Cache-Control': 'private, no-store' } as const;

/** Whether the bench routes are on (read per request: `next build` runs without it). */
export function benchEnabled(): boolean {
  return process.env.BENCH_ROUTES === '1';
}

export function notFound(): Response {
  return new Response('Not Found', { status: 404 });
}

/** The secret the driver sealed its cookies with (the same for every library). */
export function benchSecret(): string {
  const secret = process.env.BENCH_SECRET ?? '';
  if (secret.length < 32) throw new Error('BENCH_SECRET (32+ characters) is required with BENCH_ROUTES=1');
  return secret;
}

type Kit = SessionKit<Record<string, unknown>>;
const KITS = Symbol.for('next-session-kit-bench.kits');
type Kits = { cookie?: Kit; redis?: Kit };

function kits(): Kits {
  const g = globalThis as { [KITS]?: Kits };
  g[KITS] ??= {};
  return g[KITS];
}

/** The encrypted-cookie kit, configured like the demo's, under its own cookie name. */
export function cookieKit(): Kit {
  const cache = kits();
  cache.cookie ??= createSessionKit({
    storage: encryptedCookieStorage({ secret: benchSecret() }),
    cookieName: NSK_COOKIE,
    maxAge: MAX_AGE_S,
    idleTimeout: IDLE_TIMEOUT_S,
  });
  return cache.cookie;
}

/** The Redis kit, on the redis-server the driver started (BENCH_REDIS_URL). */
export function redisKit(): Kit {
  const cache = kits();
  if (cache.redis === undefined) {
    const url = process.env.BENCH_REDIS_URL;
    if (!url) throw new Error('BENCH_REDIS_URL is required with BENCH_ROUTES=1');
    const client = new Redis(url, { maxRetriesPerRequest: 1 });
    cache.redis = createSessionKit({
      storage: redisStorage({ client, keyPrefix: REDIS_PREFIX }),
      cookieName: REDIS_COOKIE,
      maxAge: MAX_AGE_S,
      idleTimeout: IDLE_TIMEOUT_S,
    });
  }
  return cache.redis;
}

/** The session's data as the response body: every variant answers the same JSON. */
export function dataResponse(data: unknown): Response {
  return Response.json(data, { headers: NO_STORE });
}
