import { expect, type Page, test } from '@playwright/test';
import { increment, login, readHome, readSessions } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// "Your devices" (/sessions: one row per signed-in browser, summarised for
// people, with Sign out per row) on Redis, and step-up (/settings needs a
// sign-in at most SETTINGS_FRESH_SECONDS old; /reauth renews it) on Redis
// and on the cookie storage.

const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';

/** The session cookie's value in the browser (no request sent). */
async function cookieValue(page: Page): Promise<string | undefined> {
  return (await page.context().cookies()).find((c) => c.name === '__Host-session' || c.name === 'session')
    ?.value;
}

/** The session as /api/session shows it, sign-in time included. */
async function apiSession(page: Page, server: DemoServer) {
  const response = await page.request.get(server.url('/api/session'));
  return (await response.json()) as {
    id: string;
    user: string | null;
    count: number;
    authenticatedAt: string | null;
  };
}

test.describe('devices on redis', () => {
  let store: StoreServer;
  let server: DemoServer;

  test.beforeAll(async () => {
    store = await startStore('redis');
    server = await startServer({ env: store.env });
  });

  test.afterAll(async () => {
    await server?.stop();
    await store?.stop();
  });

  test('lists each device for people, marks this one, and signs out exactly one with its Sign out', async ({
    page,
    browser,
  }) => {
    const user = 'devices-list';
    const firefox = await browser.newContext({ userAgent: FIREFOX_WINDOWS });
    try {
      const other = await firefox.newPage();
      await login(other, server.origin, user);
      const b = await readHome(other);
      await login(page, server.origin, user);
      const a = await readHome(page);

      const listed = await readSessions(page, server.origin);
      expect(listed.map((s) => s.id).sort()).toEqual([a.id, b.id].sort());
      const rows = page.getByTestId('session-row');
      const mine = rows.filter({ hasText: 'This device' });
      await expect(mine).toHaveCount(1);
      await expect(mine.getByTestId('session-device')).toHaveText(/^(Headless )?Chrome on /);
      await expect(mine.getByTestId('session-last-active')).toHaveText('just now');
      const theirs = rows.filter({ hasNotText: 'This device' });
      await expect(theirs.getByTestId('session-device')).toHaveText('Firefox on Windows');
      await expect(theirs.getByTestId('session-device')).toHaveAttribute('title', FIREFOX_WINDOWS);
      // The ref shown is the public session id: the cookie is nowhere on the page.
      const cookie = (await page.context().cookies()).find((c) => c.name.endsWith('session'));
      expect(cookie?.value).toBeTruthy();
      expect(await page.content()).not.toContain(cookie?.value);

      await theirs.getByRole('button', { name: 'Sign out' }).click();
      await expect(rows).toHaveCount(1);
      expect(await readSessions(page, server.origin)).toEqual([{ id: a.id, current: true }]);
      await other.reload();
      expect(await readHome(other)).toMatchObject({ user: 'Not signed in', isNew: true });
      await page.goto(server.url('/'));
      expect(await readHome(page)).toMatchObject({ id: a.id, user: `Signed in as ${user}` });

      // Sign out on this device's own row is a logout.
      await page.goto(server.url('/sessions'));
      await rows.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(server.url('/login'));
      await page.goto(server.url('/'));
      expect(await readHome(page)).toMatchObject({ user: 'Not signed in', isNew: true });
    } finally {
      await firefox.close();
    }
  });

  test('/settings opens and saves right after signing in', async ({ page }) => {
    await login(page, server.origin, 'settings-fresh');
    await page.goto(server.url('/settings'));
    expect(new URL(page.url()).pathname).toBe('/settings');
    await page.getByLabel('Display name').fill('Ada L.');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByTestId('settings-display-name')).toHaveText('Display name: Ada L.');
    await expect(page.getByText('Settings saved.')).toBeVisible();
  });
});

for (const storage of ['cookie', 'redis'] as const) {
  test.describe(`step-up on ${storage} storage`, () => {
    let store: StoreServer | undefined;
    let server: DemoServer;

    test.beforeAll(async () => {
      store = storage === 'redis' ? await startStore('redis') : undefined;
      const env = { ...(store?.env ?? {}), SETTINGS_FRESH_SECONDS: '2' };
      server = await startServer({ env, ...(store === undefined && { secret: newSecret() }) });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('a stale sign-in is asked to re-authenticate; confirming renews it and keeps the data', async ({
      page,
    }) => {
      const user = `stale-${storage}`;
      await login(page, server.origin, user);
      await increment(page);
      const before = await apiSession(page, server);
      expect(before.authenticatedAt).not.toBeNull();
      // Once the sign-in is older than 2 s, /settings sends the user to /reauth.
      await expect
        .poll(async () => {
          await page.goto(server.url('/settings'));
          return new URL(page.url()).pathname;
        })
        .toBe('/reauth');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/settings');
      const api = await page.request.get(server.url('/api/private/me'));
      expect(api.status(), 'only /settings needs a fresh sign-in').toBe(200);

      await page.getByLabel('Username').fill('someone-else');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expect(page.getByTestId('reauth-error')).toHaveText('That is not the user signed in here.');

      const cookieBefore = await cookieValue(page);
      await page.getByLabel('Username').fill(user);
      await page.getByRole('button', { name: 'Confirm' }).click();
      // Confirmed: a new cookie (the page then goes back to /settings, which a
      // machine slow enough for 2 s to pass would send to /reauth again). No
      // request is sent meanwhile: one carrying the old token could land last.
      await expect.poll(() => cookieValue(page)).not.toBe(cookieBefore);
      const after = await apiSession(page, server);
      expect(after.id, 'a new session id').not.toBe(before.id);
      expect(after).toMatchObject({ user, count: 1 });
      expect(Date.parse(after.authenticatedAt ?? '')).toBeGreaterThan(
        Date.parse(before.authenticatedAt ?? ''),
      );
    });
  });
}
