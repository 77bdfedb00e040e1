import { isDeepStrictEqual } from 'node:util';
import { benchPayload, type Payload, SIZE_HEADER, type SizeId } from '../../app/bench/config.ts';
import { plainRequest } from './request.ts';
import { DEMO_DATA } from './sessions.ts';

/** Which `next start` serves a variant: the demo's kit on its cookie storage, on Redis, or on KV. */
export type ServerId = 'main' | 'redis' | 'kv';

/** One kind of request the bench sends: a route, its method and the cookies it carries. */
export interface Variant {
  readonly id: string;
  readonly label: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly size: SizeId;
  /** The variant its "vs baseline" ratio is taken against (none for baselines). */
  readonly baseline?: string;
  /**
   * Further variants it runs right next to, in a pair of its own each round
   * (e.g. iron-session's same operation), so those ratios are back to back too.
   */
  readonly alsoAgainst?: readonly string[];
  /** The server it runs on (default: the main one). */
  readonly server?: ServerId;
  /** The session store it talks to: its round trips per request are counted at the store. */
  readonly store?: 'redis' | 'kv';
  /** Whether each response must carry Set-Cookie (a write or a refresh), or must not. */
  readonly setsCookie: boolean;
  /** Whether the route returns the session data with `count` incremented. */
  readonly counts: boolean;
  /** The body the route answers, when not the bench payload of `size`. */
  readonly body?: Payload;
}

export interface VariantCookies {
  nsk: string;
  iron: string;
  authjs: string;
  redis: string;
  demo: string;
  demoStale: string;
  /** The demo's signed-in session on the Redis and KV servers (their kits' token cookies). */
  demoRedis?: string | undefined;
  demoKv?: string | undefined;
}

export function headersFor(cookie: string, size: SizeId): Record<string, string> {
  return { cookie, [SIZE_HEADER]: size };
}

/** Every pair a variant is run in: its baseline first, then the others. */
export function partnersOf(variant: Variant): string[] {
  return [...(variant.baseline === undefined ? [] : [variant.baseline]), ...(variant.alsoAgainst ?? [])];
}

/**
 * The floor and the guard on one server: the same route behind proxy.ts's
 * no-op branch and behind the guard, the route reading the demo's session.
 */
function guardedSession(server: ServerId, cookie: string, size: SizeId): Variant[] {
  const suffix = server === 'main' ? '' : `@${server}`;
  const store = server === 'main' ? undefined : server;
  const name = server === 'main' ? 'encrypted cookie' : server === 'redis' ? 'Redis' : 'KV (Upstash REST)';
  const base = {
    size,
    server,
    headers: headersFor(cookie, size),
    counts: false,
    setsCookie: false,
    method: 'GET' as const,
    body: DEMO_DATA,
    ...(store === undefined ? {} : { store }),
  };
  return [
    {
      ...base,
      id: `floor-session${suffix}`,
      label: `${name}: no-op proxy.ts, the route reads the session`,
      path: '/api/bench-floor/session',
    },
    {
      ...base,
      id: `guard-session${suffix}`,
      label: `**${name}: guard, then the route reads the session**`,
      path: '/api/private/bench/session',
      baseline: `floor-session${suffix}`,
    },
  ];
}

/** The 1 KB comparison, the guard against its floor and the kit's own write paths. */
export function mainVariants(c: VariantCookies): Variant[] {
  const size: SizeId = '1KB';
  const base = { size, counts: false, setsCookie: false, method: 'GET' as const };
  const variants: Variant[] = [
    {
      ...base,
      id: 'baseline',
      label: 'no session (baseline)',
      path: '/bench/baseline',
      headers: headersFor(c.nsk, size),
    },
    {
      ...base,
      id: 'nsk',
      label: '**next-session-kit, encrypted cookie: read**',
      path: '/bench/nsk',
      headers: headersFor(c.nsk, size),
      baseline: 'baseline',
      alsoAgainst: ['iron'],
    },
    {
      ...base,
      id: 'iron',
      label: 'iron-session 8: read',
      path: '/bench/iron',
      headers: headersFor(c.iron, size),
      baseline: 'baseline',
    },
    {
      ...base,
      id: 'authjs',
      label: 'Auth.js JWT (`@auth/core/jwt` decode)',
      path: '/bench/authjs',
      headers: headersFor(c.authjs, size),
      baseline: 'baseline',
    },
    {
      ...base,
      id: 'baseline-write',
      label: 'no library: the same cookie written back (Next’s own Set-Cookie cost)',
      method: 'POST',
      path: '/bench/baseline-write',
      headers: headersFor(c.nsk, size),
      baseline: 'baseline',
      setsCookie: true,
      counts: true,
    },
    {
      ...base,
      id: 'nsk-write',
      label: '**next-session-kit, encrypted cookie: read + write**',
      method: 'POST',
      path: '/bench/nsk-write',
      headers: headersFor(c.nsk, size),
      baseline: 'baseline-write',
      alsoAgainst: ['iron-write'],
      setsCookie: true,
      counts: true,
    },
    {
      ...base,
      id: 'iron-write',
      label: 'iron-session 8: read + write',
      method: 'POST',
      path: '/bench/iron-write',
      headers: headersFor(c.iron, size),
      baseline: 'baseline-write',
      setsCookie: true,
      counts: true,
    },
    {
      ...base,
      id: 'baseline-redis',
      label: 'no session, with the Redis variant’s short cookie',
      path: '/bench/baseline',
      headers: headersFor(c.redis, size),
    },
    {
      ...base,
      id: 'redis',
      label: '**next-session-kit, Redis: read**',
      path: '/bench/redis',
      headers: headersFor(c.redis, size),
      baseline: 'baseline-redis',
      store: 'redis',
    },
    {
      ...base,
      id: 'redis-write',
      label: 'next-session-kit, Redis: read + write',
      method: 'POST',
      path: '/bench/redis-write',
      headers: headersFor(c.redis, size),
      baseline: 'baseline-redis',
      store: 'redis',
      counts: true,
    },
    {
      ...base,
      id: 'guard-off',
      label: 'baseline route, not through proxy.ts',
      path: '/bench/baseline',
      headers: headersFor(c.demo, size),
    },
    {
      ...base,
      id: 'proxy-noop',
      label: 'same route through a no-op `proxy.ts` (the floor of any guard)',
      path: '/api/bench-floor',
      headers: headersFor(c.demo, size),
      baseline: 'guard-off',
    },
    {
      ...base,
      id: 'guard',
      label: '**same route behind the `proxy.ts` guard** (signed in)',
      path: '/api/private/bench',
      headers: headersFor(c.demo, size),
      baseline: 'proxy-noop',
      alsoAgainst: ['guard-off'],
    },
    {
      ...base,
      id: 'guard-refresh',
      label: 'same, guard re-issues the cookie (rolling refresh)',
      path: '/api/private/bench',
      headers: headersFor(c.demoStale, size),
      baseline: 'proxy-noop',
      setsCookie: true,
    },
    ...guardedSession('main', c.demo, size),
  ];
  if (c.demoRedis !== undefined) variants.push(...guardedSession('redis', c.demoRedis, size));
  if (c.demoKv !== undefined) variants.push(...guardedSession('kv', c.demoKv, size));
  return variants;
}

/** Read and read+write of the kit's cookie at one session size, with a baseline carrying the same cookie. */
export function sizeVariants(size: SizeId, nskCookie: string): Variant[] {
  const headers = headersFor(nskCookie, size);
  const base = { size, headers, counts: false, setsCookie: false, method: 'GET' as const };
  return [
    { ...base, id: `baseline@${size}`, label: `no session, ${size}`, path: '/bench/baseline' },
    { ...base, id: `nsk@${size}`, label: `read, ${size}`, path: '/bench/nsk', baseline: `baseline@${size}` },
    {
      ...base,
      id: `nsk-write@${size}`,
      label: `read + write, ${size}`,
      method: 'POST',
      path: '/bench/nsk-write',
      baseline: `baseline@${size}`,
      setsCookie: true,
      counts: true,
    },
  ];
}

/** Sends one request and checks status, body and Set-Cookie, so no variant measures an error page. */
export async function verify(origin: string, variant: Variant): Promise<void> {
  const response = await plainRequest(origin, variant);
  const where = `${variant.id} (${variant.method} ${variant.path})`;
  if (response.status !== 200)
    throw new Error(`${where}: status ${response.status}: ${response.body.slice(0, 300)}`);
  const setCookie = response.headers['set-cookie'] ?? [];
  if (variant.setsCookie !== setCookie.length > 0) {
    throw new Error(
      `${where}: expected ${variant.setsCookie ? 'a' : 'no'} Set-Cookie, got ${setCookie.length}`,
    );
  }
  const body = JSON.parse(response.body) as Payload;
  const expected: Payload = { ...(variant.body ?? benchPayload(variant.size)) };
  if (variant.counts) expected.count = (Number(expected.count) || 0) + 1;
  if (!isDeepStrictEqual(body, expected)) throw new Error(`${where}: the response is not the session's data`);
}
