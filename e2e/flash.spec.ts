import { expect, test } from '@playwright/test';
import { submitLogin } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type Storage, type StoreServer, startStore } from './stores';

// Flash messages: the login action leaves `notice` = "Welcome, <user>!", and
// the next page shows it exactly once. Cookie storage: through the guard in
// proxy.ts (which turns Next's own render of the action's redirect target into
// a browser navigation, so the cookie that drops the notice reaches the
// browser); Redis: the first getFlash() takes it out of the store.
const FLASH_STORAGES: readonly Storage[] = ['cookie', 'redis'];

for (const storage of FLASH_STORAGES) {
  test.describe(`${storage} storage`, () => {
    let store: StoreServer | undefined;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // `next start` (and any store) on a busy machine
      store = await startStore(storage);
      server = await startServer({ secret: newSecret(), env: store.env });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('the welcome notice shows once, on the page after signing in', async ({ page }) => {
      // The proxy hands the render its cookie through x-middleware-* request
      // headers: Next must strip them, so no response leaks them to the browser.
      const leaked: string[] = [];
      page.on('response', async (response) => {
        // A prefetch can still answer after the test has closed the page: nothing left to check then.
        const headers = await response.allHeaders().catch(() => undefined);
        if (headers === undefined) return;
        for (const name of Object.keys(headers)) {
          if (name.startsWith('x-middleware-')) leaked.push(`${name} on ${response.url()}`);
        }
      });
      // Home, the default destination.
      await page.goto(server.url('/login'));
      await submitLogin(page, 'ada');
      await page.waitForURL(server.url('/'));
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as ada');
      await expect(page.getByTestId('flash-notice')).toHaveText('Welcome, ada!');
      await page.reload();
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as ada');
      await expect(page.getByTestId('flash-notice'), 'gone after a reload').toHaveCount(0);

      // A guarded page, reached through ?next=.
      await page.goto(server.url('/login?next=%2Fdashboard'));
      await submitLogin(page, 'grace');
      await page.waitForURL(server.url('/dashboard'));
      await expect(page.getByTestId('dashboard-user')).toHaveText('Signed in as grace');
      await expect(page.getByTestId('flash-notice')).toHaveText('Welcome, grace!');
      await page.reload();
      await expect(page.getByTestId('dashboard-user')).toHaveText('Signed in as grace');
      await expect(page.getByTestId('flash-notice'), 'gone after a reload').toHaveCount(0);
      await page.goto(server.url('/'));
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as grace');
      await expect(page.getByTestId('flash-notice'), 'and on other pages').toHaveCount(0);
      expect(leaked).toEqual([]);
    });
  });
}
