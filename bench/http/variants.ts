import { request } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { benchPayload, type Payload, SIZE_HEADER, type SizeId } from '../../app/bench/config.ts';

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
  /** Whether each response must carry Set-Cookie (a write or a refresh), or must not. */
  readonly setsCookie: boolean;
  /** Whether the route returns the session data with `count` incremented. */
  readonly counts: boolean;
}

export interface VariantCookies {
  nsk: string;
  iron: string;
  authjs: string;
  redis: string;
  demo: string;
  demoStale: string;
}

export function headersFor(cookie: string, size: SizeId): Record<string, string> {
  return { cookie, [SIZE_HEADER]: size };
}

/** The 1 KB comparison, the guard pair and the kit's own write paths. */
export function mainVariants(c: VariantCookies): Variant[] {
  const size: SizeId = '1KB';
  const base = { size, counts: false, setsCookie: false, method: 'GET' as const };
  return [
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
      id: 'nsk-write',
      label: '**next-session-kit, encrypted cookie: read + write**',
      method: 'POST',
      path: '/bench/nsk-write',
      headers: headersFor(c.nsk, size),
      baseline: 'baseline',
      setsCookie: true,
      counts: true,
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
      id: 'iron-write',
      label: 'iron-session 8: read + write',
      method: 'POST',
      path: '/bench/iron-write',
      headers: headersFor(c.iron, size),
      baseline: 'baseline',
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
    },
    {
      ...base,
      id: 'redis-write',
      label: 'next-session-kit, Redis: read + write',
      method: 'POST',
      path: '/bench/redis-write',
      headers: headersFor(c.redis, size),
      baseline: 'baseline-redis',
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
      id: 'guard',
      label: '**same route behind `proxy.ts` guard** (signed in)',
      path: '/api/private/bench',
      headers: headersFor(c.demo, size),
      baseline: 'guard-off',
    },
    {
      ...base,
      id: 'guard-refresh',
      label: 'same, guard re-issues the cookie (rolling refresh)',
      path: '/api/private/bench',
      headers: headersFor(c.demoStale, size),
      baseline: 'guard-off',
      setsCookie: true,
    },
  ];
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

/**
 * Sends one request and checks status, body and Set-Cookie, so no variant
 * measures an error page. Sent with node:http, as the load generator sends
 * it: fetch() adds `Sec-Fetch-Mode: cors`, which makes it a router fetch to
 * the guard, and those never get a cookie.
 */
export async function verify(origin: string, variant: Variant): Promise<void> {
  const response = await send(origin + variant.path, variant.method, variant.headers);
  const text = response.body;
  const where = `${variant.id} (${variant.method} ${variant.path})`;
  if (response.status !== 200) throw new Error(`${where}: status ${response.status}: ${text.slice(0, 300)}`);
  const setCookie = response.setCookie;
  if (variant.setsCookie !== setCookie.length > 0) {
    throw new Error(
      `${where}: expected ${variant.setsCookie ? 'a' : 'no'} Set-Cookie, got ${setCookie.length}`,
    );
  }
  const body = JSON.parse(text) as Payload;
  const expected: Payload = { ...benchPayload(variant.size) };
  if (variant.counts) expected.count = (Number(expected.count) || 0) + 1;
  if (!isDeepStrictEqual(body, expected)) throw new Error(`${where}: the response is not the session's data`);
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; setCookie: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] ?? [] }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
