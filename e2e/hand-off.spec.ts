import { randomBytes } from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import { Redis } from 'ioredis';
import { login } from './helpers';
import { type DemoServer, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// The guard in proxy.ts loads the session, then hands it to the render of the
// same request (src/next/hand-off.ts): one Redis round trip per guarded
// request, counted at redis-server; and a hand-off header sent by the client
// never reaches the render.
const HAND_OFF_HEADER = 'x-next-session-kit-hand-off';

let store: StoreServer;
let server: DemoServer;
let admin: Redis;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  store = await startStore('redis');
  server = await startServer({ env: { ...store.env, DEMO_CHECKS: '1', BENCH_ROUTES: '1' } });
  admin = new Redis({ host: '127.0.0.1', port: store.port, lazyConnect: true });
  await admin.connect();
});

test.afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
  await store?.stop();
});

/** Read events redis-server processed: one per round trip a client makes. */
async function reads(): Promise<number> {
  const info = await admin.info('stats');
  return Number(/^total_reads_processed:(\d+)/m.exec(info)?.[1]);
}

/** Round trips to Redis that `fn` (one request at a time) caused, less the INFO calls' own. */
async function roundTrips(fn: () => Promise<void>): Promise<number> {
  const idle = -(await reads()) + (await reads());
  const before = await reads();
  await fn();
  return (await reads()) - before - idle;
}

/** Signs Ada in through the demo's form; the session cookie, for requests sent by the test alone. */
async function signedIn(page: Page): Promise<string> {
  await login(page, server.origin, 'ada');
  const cookies = await page.context().cookies();
  // Nothing in the browser (prefetches of the signed-in page) may reach the store while counting.
  await page.goto('about:blank');
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

test('a guarded Route Handler that reads the session costs one Redis round trip in all', async ({
  page,
  request,
}) => {
  const cookie = await signedIn(page);
  const url = server.url('/api/private/me');
  await request.get(url, { headers: { cookie } }); // warm: the scripts are known to the server
  for (let i = 0; i < 3; i++) {
    const trips = await roundTrips(async () => {
      const res = await request.get(url, { headers: { cookie } });
      expect(res.status()).toBe(200);
      expect(await res.json()).toMatchObject({ user: 'ada' });
    });
    expect(trips, 'the guard’s load, handed to the handler').toBe(1);
  }
});

test('a hand-off id sent by the client never reaches the render', async ({ page, request }) => {
  const forged = randomBytes(16).toString('hex');
  // Anonymous: the guard hands nothing over and removes the header.
  const anonymous = await request.get(server.url('/checks/hand-off'), {
    headers: { [HAND_OFF_HEADER]: forged },
  });
  expect(anonymous.status()).toBe(200);
  expect(await anonymous.json()).toEqual({ handOff: null, user: null });

  // Signed in: the guard overwrites it with its own id.
  await signedIn(page);
  const ada = await page.request.get(server.url('/checks/hand-off'), {
    headers: { [HAND_OFF_HEADER]: forged },
  });
  const body = (await ada.json()) as { handOff: string | null; user: string | null };
  expect(body.user).toBe('ada');
  expect(body.handOff).toMatch(/^[0-9a-f]{32}$/);
  expect(body.handOff).not.toBe(forged);
});

test('a guarded Pages Router page and API route cost one Redis round trip in all', async ({
  page,
  request,
}) => {
  const cookie = await signedIn(page);
  for (const path of ['/pages-router', '/api/pages-session']) {
    const url = server.url(path);
    await request.get(url, { headers: { cookie } }); // warm
    for (let i = 0; i < 3; i++) {
      const trips = await roundTrips(async () => {
        const res = await request.get(url, { headers: { cookie } });
        expect(res.status()).toBe(200);
        if (path === '/pages-router') expect(await res.text()).toContain('Signed in as ada');
        else expect(await res.json()).toMatchObject({ user: 'ada' });
      });
      expect(trips, `${path}: the guard’s load, handed to pages(req, res)`).toBe(1);
    }
  }
});

test('a hand-off id sent by the client never reaches a Pages Router route', async ({ page, request }) => {
  const forged = randomBytes(16).toString('hex');
  const url = server.url('/api/pages-hand-off');
  const anonymous = await request.get(url, { headers: { [HAND_OFF_HEADER]: forged } });
  expect(anonymous.status()).toBe(200);
  expect(await anonymous.json()).toEqual({ handOff: null, user: null });

  const cookie = await signedIn(page);
  let body: { handOff: string | null; user: string | null } = { handOff: null, user: null };
  const trips = await roundTrips(async () => {
    const ada = await request.get(url, { headers: { cookie, [HAND_OFF_HEADER]: forged } });
    body = (await ada.json()) as typeof body;
  });
  expect(body.user).toBe('ada');
  expect(body.handOff).toMatch(/^[0-9a-f]{32}$/);
  expect(body.handOff).not.toBe(forged);
  expect(trips, 'the guard’s load, handed over under its own id').toBe(1);
});

test('a request that skips the guard loads as usual, whatever hand-off id it carries', async ({
  page,
  request,
}) => {
  await signedIn(page);
  // proxy.ts's no-op branch passes this one on untouched (the header too).
  const url = server.url('/api/bench-floor/session');
  await page.request.get(url);
  const trips = await roundTrips(async () => {
    const res = await page.request.get(url, {
      headers: { [HAND_OFF_HEADER]: randomBytes(16).toString('hex') },
    });
    expect(res.status()).toBe(200);
    expect(await res.json()).toMatchObject({ user: 'ada' });
  });
  expect(trips, 'its own load').toBe(1);
  const anonymous = await request.get(url, {
    headers: { [HAND_OFF_HEADER]: randomBytes(16).toString('hex') },
  });
  expect(anonymous.status(), 'no cookie: no session, whatever the id').toBe(401);
});
