// What following the session costs a store: a snapshot fetch of the `live`
// option, through the guard and clientSessionHandler, counted as Redis round
// trips (socket writes of a private connection; requests are awaited one by
// one, so one write is one round trip).
import { Redis } from 'ioredis';
import { NextRequest } from 'next/server.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { redisStorage } from '../entries/redis.ts';
import { createTestBrowser } from '../entries/testing.ts';
import { ROUTER_FETCH, SCRIPT_FETCH } from '../test-utils/request-shapes.ts';
import { createSessionKit } from './kit.ts';

type Data = { user?: string; role?: string };

let redis: Redis;
let writes = 0;

beforeAll(async () => {
  redis = new Redis(inject('servers').redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const stream = redis.stream;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    writes++;
    return write(...args);
  }) as typeof stream.write;
});

afterAll(() => redis?.disconnect());

async function trips(fn: () => Promise<unknown>): Promise<number> {
  const before = writes;
  await fn();
  return writes - before;
}

function request(path: string, cookie: string, headers: Record<string, string>): NextRequest {
  return new NextRequest(`http://app.test${path}`, { headers: { ...headers, cookie: `session=${cookie}` } });
}

describe('a snapshot fetch costs one store read', () => {
  it('the guard passes it on without reading the session on an open path; the handler reads it once', async () => {
    const kit = createSessionKit<Data, Record<string, never>, Pick<Data, 'user'>>({
      storage: redisStorage({ client: redis, keyPrefix: uniquePrefix('snapshot-cost') }),
      expose: ['user'],
      live: { endpoint: '/api/session/client' },
    });
    const browser = createTestBrowser();
    await browser.request(async () => {
      const session = await kit.newSession({ userId: 'ada' });
      session.set('user', 'ada');
      await session.save();
    });
    const cookie = browser.cookies.get('session') ?? '';
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const snapshot = { ...SCRIPT_FETCH.headers, 'x-session-kit': 'snapshot' };

    // Control: any other request through the guard reads the session.
    expect(await trips(() => proxy(request('/api/session/client', cookie, ROUTER_FETCH.headers)))).toBe(1);

    let passed: Response | undefined;
    expect(
      await trips(async () => {
        passed = await proxy(request('/api/session/client', cookie, snapshot));
      }),
      'the guard',
    ).toBe(0);
    expect(passed?.headers.get('x-middleware-next')).toBe('1');
    expect(passed?.headers.get('set-cookie')).toBeNull();

    let answer: unknown;
    expect(
      await trips(async () => {
        const { result } = await browser.request(() =>
          kit.clientSessionHandler(
            new Request('http://app.test/api/session/client', {
              headers: { 'x-session-kit': 'snapshot', 'sec-fetch-site': 'same-origin' },
            }),
          ),
        );
        answer = await result?.json();
      }),
      'the handler',
    ).toBe(1);
    expect(answer).toEqual({ user: 'ada' });

    // The header opens nothing: on a protected path the guard still reads and decides.
    const signedOut = request('/dashboard', 'not-a-session', snapshot);
    expect((await proxy(signedOut)).status).toBe(307);
    expect(await trips(() => proxy(request('/dashboard', cookie, snapshot)))).toBe(1);
  });
});
