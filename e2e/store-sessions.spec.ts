import { type APIResponse, expect, test } from '@playwright/test';
import { increment, login, readHome, readSessions, sessionCookie, sessionCookies } from './helpers';
import { type DemoServer, startServer } from './server';
import { type Storage, type StoreServer, startStore } from './stores';

// What only a session store can do: revoke sessions server-side, list a user's
// sessions, and report its own outage. Run on Redis, PostgreSQL and SQLite, with one
// store and one demo server per storage (memcached runs the shared flows in
// session.spec.ts and persistence.spec.ts; the library's conformance tests cover its listing).
const STORES: readonly Storage[] = ['redis', 'postgres', 'sqlite'];
// A route the proxy lets through untouched and that answers 404 without BENCH_ROUTES: no store call.
const FLOOR_PATH = '/api/bench-floor';
// Service is back this soon after the store answers again.
const RECOVERY_MS = 2_000;
const PROBE_MS = 100;
// "Eventually": a store that never comes back to service fails here, not a slow host.
const RECOVERY_DEADLINE_MS = 30_000;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = Date.now();
  const result = await run();
  return { ms: Date.now() - started, result };
}

/**
 * Sends `request` every PROBE_MS, not waiting for answers (a failing one may take the whole store
 * timeout), until one answers 200. `answeredAfterMs`: when the first 200 arrived, from the call:
 * service was back by then at the latest (its send time would not do: a request queued while the
 * client reconnects can succeed before the reconnect is made).
 */
async function recovery(
  request: () => Promise<APIResponse>,
): Promise<{ answeredAfterMs: number; failedBefore: number }> {
  const started = Date.now();
  let answered: number | undefined;
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  while (answered === undefined) {
    if (Date.now() - started > RECOVERY_DEADLINE_MS) {
      throw new Error(`no 200 within ${RECOVERY_DEADLINE_MS} ms of the store answering`);
    }
    inFlight.push(
      request().then(
        (response) => {
          if (response.status() !== 200) failed += 1;
          else answered ??= Date.now();
        },
        () => {
          failed += 1;
        },
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
  }
  const answeredAfterMs = answered - started;
  await Promise.all(inFlight);
  return { answeredAfterMs, failedBefore: failed };
}

for (const storage of STORES) {
  test.describe(`${storage} storage`, () => {
    let store: StoreServer;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // `next start` (and any store) on a busy machine
      store = await startStore(storage);
      server = await startServer({ env: store.env });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('replaying the cookie after logout gives a fresh session', async ({ page, context }) => {
      await login(page, server.origin, `replay-${storage}`);
      await increment(page);
      const before = await readHome(page);
      const cookie = await sessionCookie(context);

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(server.url('/login'));
      expect(await sessionCookies(context)).toHaveLength(0);

      // Unlike a sealed cookie, the token is worthless once its record is gone.
      await context.addCookies([cookie]);
      const logged = server.logs().length;
      await page.goto(server.url('/'));
      const shown = await readHome(page);
      expect(shown).toMatchObject({ user: 'Not signed in', count: 0, isNew: true });
      expect(shown.id).not.toBe(before.id);
      const api = await page.request.get(server.url('/api/session'));
      expect(await api.json()).toMatchObject({ isNew: true, user: null, count: 0 });
      await expect.poll(() => server.logs().slice(logged)).toContain('rejected session cookie: expired');
      // Stores need no SESSION_SECRET: no dev-key warning.
      expect(server.logs()).not.toContain('SESSION_SECRET is not set');
    });

    test('"Sign out other devices" ends the other sessions of the user only', async ({ page, browser }) => {
      const user = `devices-${storage}`;
      const other = await browser.newContext();
      const stranger = await browser.newContext();
      try {
        const pageB = await other.newPage();
        const pageC = await stranger.newPage();
        await page.goto(server.url('/sessions'));
        await page.waitForURL(server.url('/login?next=%2Fsessions')); // signed-in users only
        await login(pageB, server.origin, user);
        const b = await readHome(pageB);
        await login(page, server.origin, user);
        const a = await readHome(page);
        await login(pageC, server.origin, `someone-else-${storage}`);

        const listed = await readSessions(page, server.origin);
        expect(listed).toHaveLength(2);
        expect(listed.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
        expect(listed.filter((s) => s.current)).toEqual([{ id: a.id, current: true }]);
        await expect(page.getByTestId('session-row').getByText('This device')).toHaveCount(1);

        await page.getByRole('button', { name: 'Sign out all other devices' }).click();
        await expect(page.getByTestId('session-row')).toHaveCount(1);
        expect(await readSessions(page, server.origin)).toEqual([{ id: a.id, current: true }]);

        // B is signed out on its next request; A and the other user are not.
        await pageB.reload();
        expect(await readHome(pageB)).toMatchObject({ user: 'Not signed in', isNew: true });
        await page.goto(server.url('/'));
        expect(await readHome(page)).toMatchObject({ id: a.id, user: `Signed in as ${user}` });

        // "Sign out everywhere" includes this device.
        await page.goto(server.url('/sessions'));
        await page.getByRole('button', { name: 'Sign out everywhere' }).click();
        await page.waitForURL(server.url('/login'));
        await page.goto(server.url('/'));
        expect(await readHome(page)).toMatchObject({ user: 'Not signed in', isNew: true });
        await pageC.goto(server.url('/sessions'));
        await expect(pageC.getByTestId('session-row'), "another user's session survives").toHaveCount(1);
      } finally {
        await other.close();
        await stranger.close();
      }
    });

    if (storage === 'redis' || storage === 'postgres') {
      test('a store outage answers 503 and recovers without restarting Next', async ({ page }) => {
        test.setTimeout(90_000); // several store timeouts by design, and a generous recovery deadline
        const timeoutMs = 2_000; // the kit's default store timeout
        await login(page, server.origin, 'outage');
        await increment(page);

        await store.stop();
        // The time a request spent waiting on the store: its round trip less what the same server
        // takes for a request that never touches the store, measured just before and after (on a busy
        // host both grow alike; a request that waits past the kit's timeout does not shrink by it).
        const overhead = async () => (await timed(() => page.request.get(server.url(FLOOR_PATH)))).ms;
        const floorBefore = await overhead();
        const { ms: roundTrip, result: down } = await timed(() =>
          page.request.get(server.url('/api/session')),
        );
        const floorAfter = await overhead();
        const waited = roundTrip - Math.max(floorBefore, floorAfter);
        expect(
          waited,
          `fails within the store timeout (round trip ${roundTrip} ms, a storeless request ${floorBefore}/${floorAfter} ms)`,
        ).toBeLessThan(timeoutMs + 1_000);
        expect(down.status()).toBe(503);
        expect(down.headers()['cache-control']).toBe('private, no-store');
        expect(await down.json()).toEqual({ error: 'session store unavailable' });
        const post = await page.request.post(server.url('/api/session'));
        expect(post.status()).toBe(503);
        expect(await post.json()).toEqual({ error: 'session store unavailable' });

        // A server component cannot set a 503: the page says so instead of failing.
        const response = await page.goto(server.url('/'));
        expect(response?.status()).toBe(200);
        await expect(page.getByTestId('store-unavailable')).toContainText('Session store unavailable');
        // Signing in reports it in the form.
        await page.goto(server.url('/login'));
        await page.getByLabel('Username').fill('outage');
        await page.getByRole('button', { name: 'Sign in' }).click();
        // Eventually: the answer comes after the store timeout by design, later on a busy host.
        await expect(page.getByTestId('login-error')).toHaveText('Session store unavailable, try again.', {
          timeout: 20_000,
        });

        // Same port (Redis: empty, nothing persisted; PostgreSQL: its data kept): back within 2 s of
        // the store answering (restart() resolves once this test has seen it answer), same Next process.
        await store.restart();
        const back = await recovery(() => page.request.get(server.url('/api/session')));
        // Less the round trip of a storeless request right after: what this host adds to any answer.
        const serverOwnMs = await overhead();
        expect(
          back.answeredAfterMs - serverOwnMs,
          `first 200 answered ${back.answeredAfterMs} ms after the store answered, a storeless request ` +
            `took ${serverOwnMs} ms (${back.failedBefore} failed on the way)`,
        ).toBeLessThan(RECOVERY_MS);
        const after = await page.request.get(server.url('/api/session'));
        if (storage === 'postgres') {
          expect(await after.json(), 'the session survived the restart').toMatchObject({
            isNew: false,
            user: 'outage',
            count: 1,
          });
        } else {
          expect(await after.json(), 'the old session is gone with the store').toMatchObject({
            isNew: true,
            user: null,
          });
        }

        await login(page, server.origin, 'outage');
        expect(await increment(page)).toBe(1);
        const { id } = await readHome(page);
        expect(await readSessions(page, server.origin)).toEqual([{ id, current: true }]);
        expect(server.logs()).toContain(`The session store (${storage})`);
      });
    }
  });
}
