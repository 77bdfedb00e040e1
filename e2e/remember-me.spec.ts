import { type Browser, expect, test } from '@playwright/test';
import { readHome, sessionCookies, submitLogin } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// "Remember me" on the login form: ticked, a cookie that outlives the
// browser; unticked, a browser-session cookie (no Expires/Max-Age) that the
// browser drops when it closes. Closing is what a browser does to its
// cookie jar: a new context keeps only the cookies with an expiry.
for (const storage of ['cookie', 'redis'] as const) {
  test.describe(`${storage} storage: remember me`, () => {
    let store: StoreServer | undefined;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000);
      store = await startStore(storage);
      server = await startServer({ secret: newSecret(), env: store.env });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    async function signIn(browser: Browser, remember: boolean) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.url('/login'));
      const box = page.getByTestId('remember-me');
      await expect(box, '"Remember me" is offered, ticked by default').toBeChecked();
      if (!remember) await box.uncheck();
      await submitLogin(page, 'ada');
      await page.waitForURL(server.url('/'));
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as ada');
      return { context, page };
    }

    // What survives closing the browser: only cookies with an expiry.
    async function reopen(browser: Browser, cookies: Awaited<ReturnType<typeof sessionCookies>>) {
      const context = await browser.newContext();
      const all = cookies.filter((c) => c.expires !== -1);
      if (all.length > 0) await context.addCookies(all);
      const page = await context.newPage();
      await page.goto(server.url('/'));
      return { context, page };
    }

    test('unticked: a browser-session cookie, signed out once the browser closes', async ({ browser }) => {
      const { context, page } = await signIn(browser, false);
      const cookies = await sessionCookies(context);
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie.expires, `${cookie.name} has no expiry`).toBe(-1);
      // Still a session on the server: reloads and navigation keep it, with a server-side expiry.
      await page.reload();
      const shown = await readHome(page);
      expect(shown.user).toBe('Signed in as ada');
      expect(Date.parse(shown.expiresAt)).toBeGreaterThan(Date.now());
      await context.close();

      const reopened = await reopen(browser, cookies);
      await expect(reopened.page.getByTestId('session-user')).toHaveText('Not signed in');
      await reopened.context.close();
    });

    test('ticked: a cookie with an expiry, still signed in after the browser reopens', async ({
      browser,
    }) => {
      const { context } = await signIn(browser, true);
      const cookies = await sessionCookies(context);
      expect(cookies.length).toBeGreaterThan(0);
      for (const cookie of cookies) expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);
      await context.close();

      const reopened = await reopen(browser, cookies);
      await expect(reopened.page.getByTestId('session-user')).toHaveText('Signed in as ada');
      await reopened.context.close();
    });
  });
}
