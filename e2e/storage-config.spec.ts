import { expect, test } from '@playwright/test';
import { type DemoServer, startServer } from './server';

let server: DemoServer | undefined;

test.afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const broken: Array<{ name: string; env: Record<string, string>; message: string }> = [
  {
    name: 'an unknown SESSION_STORAGE',
    env: { SESSION_STORAGE: 'mongodb' },
    message:
      'Unknown SESSION_STORAGE="mongodb". Use one of: cookie, redis, kv, memcached, postgres, sqlite, aiohttp-redis',
  },
  {
    name: 'SESSION_STORAGE=kv without its credentials',
    env: { SESSION_STORAGE: 'kv' },
    message: 'SESSION_STORAGE=kv needs KV_REST_API_URL and KV_REST_API_TOKEN',
  },
];

// The session module throws when it loads; `next start` loads it with the first request.
for (const { name, env, message } of broken) {
  test(`${name} fails loudly with a clear error`, async ({ request }) => {
    server = await startServer({ env, ready: (status) => status === 500 });
    const response = await request.get(server.url('/api/session'));
    expect(response.status()).toBe(500);
    await expect.poll(() => server?.logs()).toContain(message);
  });
}
