import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { COOKIE, login, sessionCookie, sessionCookies } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// Rolling expiry through the guard, cookie storage. With a 6 s idle timeout the
// refresh interval (a tenth of it, in whole seconds) is 0: every request the
// proxy sees re-issues the cookie with a new idle expiry.
const IDLE_S = 6;
const IDLE_MS = IDLE_S * 1000;
// The server accepts a session this long past its expiry (clock skew between servers).
const SKEW_MS = 5_000;
// The server keeps times to the second at worst: one second of margin where its clock decides.
const SERVER_ROUNDING_MS = 1_000;
// Pause between the active user's requests (after the previous one is answered and checked): short,
// so that on a busy host the gap between two requests stays well inside the idle timeout.
const PACE_MS = 250;
// Attempts at the active run: one ends early only when the host measurably stalled for longer than
// the idle timeout, and the session then legitimately expired (which the attempt still checks).
const ACTIVE_ATTEMPTS = 4;
let server: DemoServer;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  server = await startServer({ secret: newSecret(), env: { SESSION_IDLE_TIMEOUT: String(IDLE_S) } });
});

test.afterAll(async () => {
  await server?.stop();
});

/**
 * What the timestamps of one request imply about it, decided on this machine's one clock (browser,
 * server and test share it), so that a busy host can delay requests without making the test wrong.
 * - `live`: answered before the browser's cookie expired and before the server would refuse it: the
 *   session must be there.
 * - `expired`: sent after the browser's cookie had expired: the browser sends no cookie, the user
 *   must be signed out.
 * - `either`: in between (the request was in flight across an expiry); both outcomes are correct.
 */
type Expected = 'live' | 'expired' | 'either';

function expected(step: {
  sentAt: number;
  answeredAt: number;
  cookieExpiresAt: number | undefined;
  lastActiveAtLeast: number;
}): Expected {
  const { sentAt, answeredAt, cookieExpiresAt, lastActiveAtLeast } = step;
  if (cookieExpiresAt === undefined || sentAt > cookieExpiresAt) return 'expired';
  const serverAccepts = answeredAt <= lastActiveAtLeast + IDLE_MS + SKEW_MS - SERVER_ROUNDING_MS;
  return answeredAt < cookieExpiresAt && serverAccepts ? 'live' : 'either';
}

/** The session cookie's expiry as the browser holds it now (ms), or undefined once it dropped it. */
async function browserExpiry(context: BrowserContext): Promise<number | undefined> {
  const cookies = await sessionCookies(context);
  const cookie = cookies.find((c) => c.name === COOKIE);
  return cookie === undefined ? undefined : cookie.expires * 1000;
}

interface Step {
  expected: Expected;
  live: boolean;
  sentAt: number;
  answeredAt: number;
}

/**
 * One request to `path`, judged by its measured times; checks what they imply. The guarded
 * /dashboard sends a signed-out user to /login; the home page says who is signed in.
 */
async function step(
  page: Page,
  context: BrowserContext,
  path: string,
  user: string,
  lastActiveAtLeast: number,
) {
  const cookieExpiresAt = await browserExpiry(context);
  const sentAt = Date.now();
  // 'commit': the answer's headers (and cookie) are in; the page's scripts do not delay the next step.
  const response = await page.goto(server.url(path), { waitUntil: 'commit' });
  const answeredAt = Date.now();
  const live =
    path === '/'
      ? (await page.getByTestId('session-user').textContent())?.trim() === `Signed in as ${user}`
      : new URL(page.url()).pathname === path;
  const result: Step = {
    expected: expected({ sentAt, answeredAt, cookieExpiresAt, lastActiveAtLeast }),
    live,
    sentAt,
    answeredAt,
  };
  const timing = `sent ${sentAt - lastActiveAtLeast} ms after the last activity, answered after ${
    answeredAt - sentAt
  } ms, cookie expiry ${cookieExpiresAt === undefined ? 'passed' : `${cookieExpiresAt - sentAt} ms after sending`}`;
  if (result.expected === 'live') expect(live, `a live session is kept (${timing})`).toBe(true);
  if (result.expected === 'expired') expect(live, `an expired session is refused (${timing})`).toBe(false);
  if (live) expect(response?.status()).toBe(200);
  return result;
}

/**
 * Signs in and keeps requesting pages, PACE_MS apart, until a request sent after the first cookie's
 * server-side expiry plus the skew allowance was answered with the session: only a sliding expiry
 * explains that. Resolves with what happened when a measured gap let the session expire (checked as
 * such), undefined once proved.
 */
async function activeRun(page: Page, context: BrowserContext, user: string): Promise<string | undefined> {
  await context.clearCookies();
  const loginStarted = Date.now();
  await login(page, server.origin, user);
  // The server stamped the login at or after loginStarted and no later than now.
  let lastActiveAtLeast = loginStarted;
  const firstRefusedAfter = Date.now() + IDLE_MS + SKEW_MS;
  let previousExpiry = (await sessionCookie(context)).expires;
  let proved = false;
  for (;;) {
    await page.waitForTimeout(PACE_MS);
    // Once the slide is proved, one more page: the home page shows the same session.
    const path = proved ? '/' : '/dashboard';
    const result = await step(page, context, path, user, lastActiveAtLeast);
    if (!result.live) {
      return `a request ${result.sentAt - lastActiveAtLeast} ms after the previous activity found the session expired (${result.expected})`;
    }
    if (proved) {
      await expect(page.getByTestId('session-user')).toHaveText(`Signed in as ${user}`);
      return undefined;
    }
    await expect(page.getByTestId('dashboard-user')).toHaveText(`Signed in as ${user}`);
    const { expires } = await sessionCookie(context);
    expect(expires, 'each request slides the expiry').toBeGreaterThan(previousExpiry);
    previousExpiry = expires;
    lastActiveAtLeast = result.sentAt;
    if (result.sentAt > firstRefusedAfter) proved = true;
  }
}

test('an active user stays signed in past the idle timeout; an idle one is signed out', async ({
  browser,
}) => {
  test.setTimeout(150_000); // up to ACTIVE_ATTEMPTS active runs of about 15 s each on a busy host
  const activeContext = await browser.newContext();
  const idleContext = await browser.newContext();
  try {
    const [active, idle] = await Promise.all([activeContext.newPage(), idleContext.newPage()]);
    const idleLoginStarted = Date.now();
    await login(idle, server.origin, 'idle');
    const idleLoggedIn = Date.now();
    const idleCookie = await sessionCookie(idleContext);
    expect(idleCookie.expires * 1000, 'the cookie lives as long as the idle timeout').toBeLessThanOrEqual(
      idleLoggedIn + IDLE_MS + SERVER_ROUNDING_MS,
    );
    expect(idleCookie.expires * 1000, 'the cookie lives as long as the idle timeout').toBeGreaterThanOrEqual(
      idleLoginStarted + IDLE_MS - SERVER_ROUNDING_MS,
    );

    const keepActive = async () => {
      const failures: string[] = [];
      for (let attempt = 1; attempt <= ACTIVE_ATTEMPTS; attempt++) {
        const failure = await activeRun(active, activeContext, 'active');
        if (failure === undefined) return;
        failures.push(`attempt ${attempt}: ${failure}`);
      }
      throw new Error(`the host stalled past the idle timeout in every attempt:\n${failures.join('\n')}`);
    };

    // No requests for longer than the idle timeout plus the skew allowance. Waits only ever last
    // longer than asked, which only makes the cookie more expired.
    const stayIdle = async () => {
      await idle.waitForTimeout(IDLE_MS + SKEW_MS + SERVER_ROUNDING_MS);
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
  } finally {
    await activeContext.close();
    await idleContext.close();
  }
});
