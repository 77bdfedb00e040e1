import { expect, test } from '@playwright/test';
import {
  COOKIE,
  increment,
  login,
  readHome,
  sessionCookie,
  sessionCookies,
  setSessionCookieValue,
} from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { STORAGES, type StoreServer, startStore } from './stores';

// The same flows on every storage: one demo server (and store) per storage.
for (const storage of STORAGES) {
  test.describe(`${storage} storage`, () => {
    const isStore = storage !== 'cookie';
    let store: StoreServer | undefined;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // a store (three nodes for a Cluster) and `next start` on a busy machine
      store = await startStore(storage);
      server = await startServer({ secret: newSecret(), env: store.env });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('login rotates the session id and replaces the cookie', async ({ page, context }) => {
      await page.goto(server.url('/'));
      await expect(page.getByTestId('session-user')).toHaveText('Not signed in');
      await expect(page.getByTestId('storage-name'), 'the header names the storage').toHaveText(storage);
      expect(await sessionCookies(context)).toHaveLength(0);

      // An anonymous session exists once something is saved.
      await increment(page);
      const anonymous = await readHome(page);
      const anonymousCookie = await sessionCookie(context);
      await page.reload();
      expect(await readHome(page)).toMatchObject({ id: anonymous.id, count: 1, isNew: false });

      await login(page, server.origin, 'ada');
      const signedIn = await readHome(page);
      expect(signedIn.id).not.toBe(anonymous.id);
      expect(signedIn.user).toBe('Signed in as ada');
      expect(signedIn.count, 'newSession() starts with empty data').toBe(0);
      expect(signedIn.isNew).toBe(false);

      const signedInCookie = await sessionCookie(context);
      expect(signedInCookie.value).not.toBe(anonymousCookie.value);
      expect(await sessionCookies(context), 'exactly one session cookie').toHaveLength(1);

      await page.reload();
      expect((await readHome(page)).id).toBe(signedIn.id);

      // Cookie storage: not asserted that replaying the old cookie fails. A sealed cookie stays
      // valid until it expires (a documented limit); only a store can revoke it, and does at login.
      if (isStore) {
        await setSessionCookieValue(context, signedInCookie, anonymousCookie.value);
        await page.goto(server.url('/'));
        const replayed = await readHome(page);
        expect(replayed, 'the pre-login session was destroyed').toMatchObject({
          user: 'Not signed in',
          count: 0,
          isNew: true,
        });
        expect(replayed.id).not.toBe(anonymous.id);
      }
    });

    test('logout clears the session cookie', async ({ page, context }) => {
      await login(page, server.origin, 'grace');
      await increment(page);
      expect(await sessionCookies(context)).toHaveLength(1);

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(server.url('/login'));
      expect(await sessionCookies(context), 'no session cookie after logout').toHaveLength(0);

      await page.goto(server.url('/'));
      const shown = await readHome(page);
      expect(shown).toMatchObject({ user: 'Not signed in', count: 0, isNew: true });
      await expect(page.getByRole('button', { name: 'Log out' })).toHaveCount(0);
    });

    // Storage-independent details: on the cookie storage and Redis (Cluster, KV and memcached only run
    // the flows above, which is where the storages differ).
    if (storage === 'cookie' || storage === 'redis') {
      test('the login form validates the username', async ({ page, context }) => {
        await page.goto(server.url('/login'));
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByTestId('login-error')).toHaveText('Enter a username.');
        await expect(page.getByLabel('Username')).toHaveAttribute('aria-invalid', 'true');

        await page.getByLabel('Username').fill('x'.repeat(65));
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByTestId('login-error')).toHaveText(
          'The username must be at most 64 characters.',
        );
        expect(page.url()).toBe(server.url('/login'));
        expect(await sessionCookies(context)).toHaveLength(0);

        await page.getByLabel('Username').fill('y'.repeat(64));
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(server.url('/'));
        await expect(page.getByTestId('session-user')).toHaveText(`Signed in as ${'y'.repeat(64)}`);
      });

      test('save() in a server component throws SessionReadOnlyError', async ({ page, context }) => {
        const response = await page.goto(server.url('/readonly'));
        expect(response?.status()).toBe(200);
        await expect(page.getByTestId('readonly-code')).toHaveText('ERR_SESSION_READ_ONLY');
        await expect(page.getByTestId('readonly-message')).toContainText('read-only');
        expect(await sessionCookies(context), 'nothing was saved').toHaveLength(0);
      });

      // Signed in, count 0: /readonly sets count 1 and saves. With Redis that save changes only the
      // store (the token cookie stays), so nothing but the kit's read-only detection can refuse it.
      test('save() of a signed-in session in a server component is refused and changes nothing', async ({
        page,
        context,
      }) => {
        await login(page, server.origin, 'rita');
        const before = await readHome(page);
        const cookieBefore = await sessionCookie(context);

        await page.goto(server.url('/readonly'));
        await expect(page.getByTestId('readonly-code')).toHaveText('ERR_SESSION_READ_ONLY');
        expect((await sessionCookie(context)).value, 'the cookie is unchanged').toBe(cookieBefore.value);

        await page.goto(server.url('/'));
        expect(await readHome(page), 'the refused change never reached the store').toMatchObject({
          id: before.id,
          user: 'Signed in as rita',
          count: 0,
        });
      });

      test('the session cookie is HttpOnly, SameSite=Lax, Path=/, Secure', async ({ page, context }) => {
        const before = Date.now();
        await login(page, server.origin, 'linus');
        const cookie = await sessionCookie(context);
        expect(cookie).toMatchObject({
          name: COOKIE,
          domain: '127.0.0.1',
          path: '/',
          httpOnly: true,
          sameSite: 'Lax',
          secure: true, // `next start` runs in production
        });
        // A persistent cookie that ends within the absolute lifetime (14 days).
        expect(cookie.expires * 1000).toBeGreaterThan(before);
        expect(cookie.expires * 1000).toBeLessThanOrEqual(Date.now() + 14 * 24 * 3600 * 1000 + 1000);
        // HttpOnly: scripts cannot see it.
        expect(await page.evaluate(() => document.cookie)).not.toContain(`${COOKIE}=`);
        if (isStore) {
          // An opaque token (256 bits, base64url): the data stays in the store.
          expect(cookie.value).toMatch(/^[\w-]{43}$/);
        } else {
          // A JWE: five base64url segments, the second (encrypted key) empty for `dir`.
          expect(cookie.value).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
        }
      });

      test('/api/session reads and saves the same session as the pages', async ({ page, context }) => {
        // Anonymous: GET does not create a cookie, POST does.
        const anonymousGet = await page.request.get(server.url('/api/session'));
        expect(anonymousGet.status()).toBe(200);
        expect(anonymousGet.headers()['cache-control']).toBe('private, no-store');
        expect(anonymousGet.headers()['set-cookie']).toBeUndefined();
        expect(await anonymousGet.json()).toMatchObject({ isNew: true, user: null, count: 0 });

        await login(page, server.origin, 'grace');
        await increment(page);
        const shown = await readHome(page);

        const cookieBefore = await sessionCookie(context);
        const get = await page.request.get(server.url('/api/session'));
        expect(get.status()).toBe(200);
        expect(get.headers()['content-type']).toContain('application/json');
        expect(get.headers()['cache-control']).toBe('private, no-store');
        const body = await get.json();
        expect(body).toEqual({
          id: shown.id,
          isNew: false,
          user: 'grace',
          count: 1,
          createdAt: shown.createdAt,
          authenticatedAt: expect.any(String),
          expiresAt: expect.any(String),
        });
        expect(Date.parse(body.expiresAt)).toBeGreaterThan(Date.now());

        const post = await page.request.post(server.url('/api/session'));
        expect(post.status()).toBe(200);
        expect(post.headers()['cache-control']).toBe('private, no-store');
        if (isStore) {
          // The cookie only names the session: a change to its data does not rewrite it.
          expect((await sessionCookie(context)).value).toBe(cookieBefore.value);
        } else {
          expect(post.headers()['set-cookie']).toContain(`${COOKIE}=`);
        }
        expect(await post.json()).toMatchObject({ id: shown.id, user: 'grace', count: 2 });

        // The page sees the new count (cookie storage: through the re-sealed cookie).
        await page.reload();
        expect(await readHome(page)).toMatchObject({ id: shown.id, count: 2, user: 'Signed in as grace' });
        expect(await sessionCookies(context)).toHaveLength(1);
      });
    }

    if (!isStore) {
      test('/sessions explains that listing sessions needs a store', async ({ page }) => {
        await page.goto(server.url('/sessions'));
        await page.waitForURL(server.url('/login?next=%2Fsessions')); // signed-in users only
        await login(page, server.origin, 'ada');
        await page.getByRole('link', { name: 'Your sessions' }).click();
        await page.waitForURL(server.url('/sessions'));
        await expect(page.getByTestId('sessions-unsupported')).toContainText('need a session store');
        await expect(page.getByRole('button', { name: 'Sign out all other devices' })).toHaveCount(0);
      });
    }
  });
}
