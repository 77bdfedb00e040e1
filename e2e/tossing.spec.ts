import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { COOKIE, increment, login, readHome } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// Cookie tossing (RFC 6265bis §8.6 and the __Host- prefix, §4.1.3.2): a script
// on a sibling subdomain sets cookies with Domain=<the app's host>, which the
// browser then sends to the app too. Chromium resolves *.localhost to
// loopback, so `app.localhost` is the app and `evil.app.localhost` the
// sibling, both served by the same `next start` (production: Secure cookies,
// so the session is `__Host-session`, which only the app's own host can set).
let server: DemoServer;
let app: string;
let sibling: string;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  server = await startServer({ secret: newSecret() });
  app = `http://app.localhost:${server.port}`;
  sibling = `http://evil.app.localhost:${server.port}`;
});

test.afterAll(async () => {
  await server?.stop();
});

/** Mallory signs in to the same app in her own browser: a valid session cookie of hers. */
async function mallorysCookie(context: BrowserContext): Promise<string> {
  const page = await context.newPage();
  await login(page, app, 'mallory');
  const cookie = (await context.cookies(app)).find((c) => c.name === COOKIE);
  expect(cookie, 'mallory has a session').toBeDefined();
  await page.close();
  return cookie?.value ?? '';
}

/** A page on the sibling subdomain plants `value` for the whole app.localhost site, as a script there can. */
async function plantFromSibling(page: Page, value: string): Promise<void> {
  await page.goto(`${sibling}/login`);
  const site = 'domain=app.localhost';
  const lines = [
    `session=${value}; ${site}; path=/`,
    `session.0=${value}; ${site}; path=/`,
    // A longer path is sent first: the classic way to win a duplicate name.
    `session=${value}; ${site}; path=/dashboard`,
    // What would really take the session over: refused by the browser for a __Host- name.
    `__Host-session=${value}; ${site}; path=/; secure`,
    `__Host-session.0=${value}; ${site}; path=/; secure`,
  ];
  await page.evaluate((all) => {
    for (const line of all) {
      // biome-ignore lint/suspicious/noDocumentCookie: exactly what a script on the sibling subdomain does
      document.cookie = line;
    }
  }, lines);
}

test('the session cookie is __Host-session: Secure, host-only, Path=/', async ({ page, context }) => {
  await login(page, app, 'ada');
  const cookies = await context.cookies(app);
  expect(cookies.map((c) => c.name)).toEqual([COOKIE]);
  expect(cookies[0]).toMatchObject({ domain: 'app.localhost', path: '/', secure: true, httpOnly: true });
});

test('a session planted from a sibling subdomain does not replace the signed-in one', async ({
  browser,
  page,
  context,
}) => {
  const mallory = await browser.newContext();
  const value = await mallorysCookie(mallory);
  await mallory.close();

  await login(page, app, 'ada');
  const before = await readHome(page);
  await plantFromSibling(page, value);

  // The attack is staged: the browser holds the planted cookies for app.localhost ...
  const sent = await context.cookies(`${app}/dashboard`);
  const planted = sent.filter((c) => c.domain === '.app.localhost').map((c) => `${c.name} ${c.path}`);
  expect(planted.sort()).toEqual(['session /', 'session /dashboard', 'session.0 /']);
  // ... but none named __Host-: the browser refused those, and the only one is the app's own.
  const host = sent.filter((c) => c.name.startsWith('__Host-'));
  expect(host.map((c) => `${c.name} ${c.domain}`)).toEqual([`${COOKIE} app.localhost`]);

  await page.goto(`${app}/`);
  expect(await readHome(page)).toMatchObject({ id: before.id, user: 'Signed in as ada' });
  await page.goto(`${app}/dashboard`);
  await expect(page.getByTestId('dashboard-user')).toHaveText('Signed in as ada');
  // Saving writes the kit's own cookie and leaves the planted ones alone.
  await page.goto(`${app}/`);
  await increment(page);
  expect(await readHome(page)).toMatchObject({ id: before.id, user: 'Signed in as ada', count: 1 });
  expect(server.logs(), 'the planted cookies are never even read').not.toContain('rejected session cookie');
});

test('a session planted from a sibling subdomain does not sign a visitor in', async ({ browser, page }) => {
  const mallory = await browser.newContext();
  const value = await mallorysCookie(mallory);
  await mallory.close();

  await plantFromSibling(page, value);
  await page.goto(`${app}/`);
  expect(await readHome(page)).toMatchObject({ user: 'Not signed in', isNew: true });
  // Through the browser (which sends the planted cookies): Node cannot resolve *.localhost.
  await page.goto(`${app}/dashboard`);
  await page.waitForURL(`${app}/login?next=%2Fdashboard`);
  const api = await page.goto(`${app}/api/private/anything`);
  expect(api?.status(), 'the guard sees no session').toBe(401);
});
