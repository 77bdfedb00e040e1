import { expect, type Page, test } from '@playwright/test';
import { COOKIE, login, readHome, sessionCookie, sessionCookies } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type Storage, type StoreServer, startStore } from './stores';

// One session for both routers: the demo's pages/pages-router.tsx (getServerSideProps) and
// pages/api/pages-session.ts (an API route) use `pages(req, res)` of the same kit as the App
// Router's pages and Server Actions. A login on either side is seen by the other, and a logout
// on either ends both; on the cookie storage and on Redis.
const STORAGES: readonly Storage[] = ['cookie', 'redis'];

async function readPagesRouter(page: Page, server: DemoServer): Promise<{ user: string; count: number }> {
  await page.goto(server.url('/pages-router'));
  return {
    user: ((await page.getByTestId('pages-user').textContent()) ?? '').trim(),
    count: Number(await page.getByTestId('pages-count').textContent()),
  };
}

for (const storage of STORAGES) {
  test.describe(`${storage} storage`, () => {
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

    test('an App Router login is seen by the Pages Router; a Pages Router logout ends both', async ({
      page,
      context,
    }) => {
      await login(page, server.origin, 'ada');
      const app = await readHome(page);
      const cookie = await sessionCookie(context);

      expect(await readPagesRouter(page, server)).toEqual({ user: 'Signed in as ada', count: 0 });
      await expect(page.getByTestId('pages-storage')).toHaveText(storage);
      // The API route reads it too.
      const api = await page.request.get(server.url('/api/pages-session'));
      expect(await api.json()).toEqual({ user: 'ada', count: 0 });

      // A change saved by the Pages Router shows in the App Router, on the same session.
      await page.getByRole('button', { name: 'Increment (Pages Router)' }).click();
      await page.waitForURL(server.url('/pages-router'));
      await expect(page.getByTestId('pages-count')).toHaveText('1');
      await page.goto(server.url('/'));
      expect(await readHome(page)).toMatchObject({ id: app.id, user: 'Signed in as ada', count: 1 });
      expect(await sessionCookies(context), 'still exactly one session cookie').toHaveLength(1);

      await page.goto(server.url('/pages-router'));
      await page.getByRole('button', { name: 'Log out (Pages Router)' }).click();
      await page.waitForURL(server.url('/pages-router'));
      await expect(page.getByTestId('pages-user')).toHaveText('Not signed in');
      expect(await sessionCookies(context)).toHaveLength(0);
      await page.goto(server.url('/'));
      expect(await readHome(page)).toMatchObject({ user: 'Not signed in', isNew: true });

      if (storage !== 'cookie') {
        // The record is gone: the old cookie, replayed, signs nobody in on either side.
        await context.addCookies([cookie]);
        expect((await readPagesRouter(page, server)).user).toBe('Not signed in');
        await page.goto(server.url('/'));
        expect((await readHome(page)).user).toBe('Not signed in');
      }
    });

    test('a Pages Router login is seen by the App Router; an App Router logout ends both', async ({
      page,
      context,
    }) => {
      await page.goto(server.url('/pages-router'));
      await page.getByLabel('Name').fill('grace');
      await page.getByRole('button', { name: 'Sign in (Pages Router)' }).click();
      await page.waitForURL(server.url('/pages-router'));
      await expect(page.getByTestId('pages-user')).toHaveText('Signed in as grace');

      // `next start` is production: the same Secure, HttpOnly `__Host-` cookie the App Router writes.
      const cookies = await sessionCookies(context);
      expect(cookies.map((c) => c.name)).toEqual([COOKIE]);
      expect(cookies[0]).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });

      await page.goto(server.url('/'));
      expect(await readHome(page)).toMatchObject({ user: 'Signed in as grace', count: 0, isNew: false });
      // The guard lets the signed-in browser through to a protected App Router page.
      await page.goto(server.url('/dashboard'));
      await page.waitForURL(server.url('/dashboard'));

      await page.goto(server.url('/'));
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(server.url('/login'));
      expect(await sessionCookies(context)).toHaveLength(0);
      expect((await readPagesRouter(page, server)).user).toBe('Not signed in');
      const api = await page.request.get(server.url('/api/pages-session'));
      expect(await api.json()).toEqual({ user: null, count: 0 });
    });
  });
}
