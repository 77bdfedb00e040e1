import { expect, test } from '@playwright/test';
import { increment, login, readHome, readSessions, sessionCookie, sessionCookies } from './helpers';
import { type DemoServer, startServer } from './server';
import { type Storage, type StoreServer, startStore } from './stores';

// What only a session store can do: revoke sessions server-side, list a user's
// sessions, and report its own outage. Run on Redis, PostgreSQL and SQLite, with one
// store and one demo server per storage (memcached runs the shared flows in
// session.spec.ts and persistence.spec.ts; the library's conformance tests cover its listing).
const STORES: readonly Storage[] = ['redis', 'postgres', 'sqlite'];

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
        const timeoutMs = 2_000; // the kit's default store timeout
        await login(page, server.origin, 'outage');
        await increment(page);

        await store.stop();
        const started = Date.now();
        const down = await page.request.get(server.url('/api/session'));
        expect(Date.now() - started, 'fails within the store timeout').toBeLessThan(timeoutMs + 1_000);
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
        await expect(page.getByTestId('login-error')).toHaveText('Session store unavailable, try again.');

        // Same port (Redis: empty, nothing persisted; PostgreSQL: its data kept): back within 2 s,
        // same Next process.
        await store.restart();
        const restarted = Date.now();
        await expect
          .poll(async () => (await page.request.get(server.url('/api/session'))).status(), {
            timeout: 2_000,
            intervals: [100],
          })
          .toBe(200);
        expect(Date.now() - restarted).toBeLessThan(2_000);
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
