import { expect, test } from '@playwright/test';
import { login, sessionCookie, sessionCookies } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// Rolling expiry through the guard, cookie storage. With a 6 s idle timeout the
// refresh interval (a tenth of it, in whole seconds) is 0: every request the
// proxy sees re-issues the cookie with a new idle expiry.
const IDLE_S = 6;
// The server accepts a session this long past its expiry (clock skew between servers).
const SKEW_MS = 5_000;
let server: DemoServer;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  server = await startServer({ secret: newSecret(), env: { SESSION_IDLE_TIMEOUT: String(IDLE_S) } });
});

test.afterAll(async () => {
  await server?.stop();
});

test('an active user stays signed in past the idle timeout; an idle one is signed out', async ({
  browser,
}) => {
  test.setTimeout(45_000);
  const activeContext = await browser.newContext();
  const idleContext = await browser.newContext();
  try {
    const [active, idle] = await Promise.all([activeContext.newPage(), idleContext.newPage()]);
    await Promise.all([login(active, server.origin, 'active'), login(idle, server.origin, 'idle')]);
    const started = Date.now();
    const idleCookie = await sessionCookie(idleContext);
    expect(idleCookie.expires * 1000, 'the cookie lives as long as the idle timeout').toBeLessThanOrEqual(
      started + IDLE_S * 1000 + 1_000,
    );

    // Plain page loads every 2 s, until past the idle timeout and the skew allowance.
    const keepActive = async () => {
      let previousExpiry = (await sessionCookie(activeContext)).expires;
      while (Date.now() - started < IDLE_S * 1000 + SKEW_MS) {
        await active.waitForTimeout(2_000);
        const response = await active.goto(server.url('/dashboard'));
        expect(response?.status()).toBe(200);
        await expect(active.getByTestId('dashboard-user')).toHaveText('Signed in as active');
        const { expires } = await sessionCookie(activeContext);
        expect(expires, 'each request slides the expiry').toBeGreaterThan(previousExpiry);
        previousExpiry = expires;
      }
    };

    // No requests for longer than the idle timeout plus the skew allowance.
    const stayIdle = async () => {
      await idle.waitForTimeout(IDLE_S * 1000 + SKEW_MS + 1_000);
      expect(await sessionCookies(idleContext), 'the browser dropped the expired cookie').toHaveLength(0);
      // Replayed past its idle expiry, the sealed cookie is refused by the server too.
      await idleContext.addCookies([{ ...idleCookie, expires: Math.floor(Date.now() / 1000) + 3600 }]);
      const logged = server.logs().length;
      await idle.goto(server.url('/dashboard'));
      await idle.waitForURL(server.url('/login?next=%2Fdashboard'));
      await expect.poll(() => server.logs().slice(logged)).toContain('rejected session cookie: expired');
      expect(await sessionCookies(idleContext), 'and cleared').toHaveLength(0);
    };

    await Promise.all([keepActive(), stayIdle()]);
    expect(Date.now() - started).toBeGreaterThan(IDLE_S * 1000 + SKEW_MS);
    await active.goto(server.url('/'));
    await expect(active.getByTestId('session-user')).toHaveText('Signed in as active');
  } finally {
    await activeContext.close();
    await idleContext.close();
  }
});
