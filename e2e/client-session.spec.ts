import { expect, type Page, test } from '@playwright/test';
import { increment, readHome, sessionCookie, submitLogin } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// The layout's <SessionProvider> hands `expose: ['user']` to the client-side
// header (app/header-user.tsx, useSession()). Cookie storage: every save sets
// a new cookie. Redis: a data change keeps the cookie, so only the kit's
// refresh() tells Next to re-render the layout with the action's response.
const MARKER = 'same-document';

/** Sets a global that only survives while the document does (no full reload). */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate((marker) => {
    (window as unknown as { __nskMarker?: string }).__nskMarker = marker;
  }, MARKER);
}

async function documentMarker(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (window as unknown as { __nskMarker?: string }).__nskMarker);
}

/**
 * Waits until React has hydrated the element: a click before that would
 * submit the form the old way, a full page load, which is not what is tested.
 */
async function hydrated(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (sel) => Object.keys(document.querySelector(sel) ?? {}).some((k) => k.startsWith('__react')),
    selector,
  );
}

/**
 * Records the Server Action responses (body and headers). Through a route:
 * Chromium does not always keep a fetch's body for later inspection.
 */
async function recordActions(page: Page): Promise<Array<{ body: string; headers: Record<string, string> }>> {
  const seen: Array<{ body: string; headers: Record<string, string> }> = [];
  await page.route('**/*', async (route) => {
    const request = route.request();
    if (request.method() !== 'POST' || request.headers()['next-action'] === undefined) {
      await route.fallback();
      return;
    }
    const response = await route.fetch({ maxRedirects: 0 });
    const body = await response.text();
    seen.push({ body, headers: response.headers() });
    await route.fulfill({ response, body });
  });
  return seen;
}

for (const storage of ['cookie', 'redis'] as const) {
  test.describe(`client components on the ${storage} storage`, () => {
    let store: StoreServer | undefined;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // a store and `next start` on a busy machine
      store = await startStore(storage);
      server = await startServer({ secret: newSecret(), env: store.env });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('the header follows login, a Server Action and logout without a reload', async ({ page }) => {
      const header = page.getByTestId('header-user');
      await page.goto(server.url('/login'));
      await expect(header).toHaveText('Guest');
      await hydrated(page, '#username');
      await markDocument(page);

      // Login: a Server Action (newSession + save) that redirects to `/`.
      await submitLogin(page, 'ada');
      await page.waitForURL(server.url('/'));
      await expect(header).toHaveText('User: ada');
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as ada');
      if (storage === 'cookie') {
        // By design, not a client-side update: login leaves a flash message, and with a cookie
        // storage the guard answers Next's render of the action's redirect target with 204 so the
        // browser loads the page itself and the message shows exactly once (see proxy-session.ts).
        await hydrated(page, '#display-name');
        await markDocument(page);
      } else {
        expect(await documentMarker(page), 'login must not reload the page').toBe(MARKER);
      }

      // A Server Action without redirect or revalidatePath that changes the exposed field.
      const actions = await recordActions(page);
      await page.getByLabel('Display name').fill('Ada Lovelace');
      await page.getByRole('button', { name: 'Rename' }).click();
      await expect(header).toHaveText('User: Ada Lovelace');
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as Ada Lovelace');
      expect(await documentMarker(page), 'the action must not reload the page').toBe(MARKER);
      // The action's own response carries the re-rendered layout with the new snapshot.
      expect(actions).toHaveLength(1);
      const [renamed] = actions;
      expect(renamed?.body).toContain('{"user":"Ada Lovelace"}');
      if (storage === 'redis') {
        expect(
          renamed?.headers['set-cookie'],
          'a store keeps its cookie when only the data changes',
        ).toBeUndefined();
      }

      // An action that changes a field the client does not see leaves the header alone.
      await page.unrouteAll();
      await increment(page);
      await expect(header).toHaveText('User: Ada Lovelace');
      expect(await documentMarker(page)).toBe(MARKER);

      // Logout: destroySession() then redirect('/login').
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(server.url('/login'));
      await expect(header).toHaveText('Guest');
      expect(await documentMarker(page), 'logout must not reload the page').toBe(MARKER);
    });

    test('the browser gets the exposed user and nothing else of the session', async ({ page, context }) => {
      const bodies: string[] = [];
      page.on('response', async (r) => {
        if (!r.url().startsWith(server.origin)) return;
        bodies.push(await r.text().catch(() => ''));
      });

      await page.goto(server.url('/login'));
      await hydrated(page, '#username');
      await submitLogin(page, 'grace');
      await page.waitForURL(server.url('/'));
      await increment(page);
      await increment(page);
      // The home page itself prints these on purpose; they must not leak anywhere else.
      const home = await readHome(page);
      const cookie = (await sessionCookie(context)).value;

      // A page that shows no session data itself: only the layout's provider does.
      bodies.length = 0;
      await page.goto(server.url('/login'));
      await expect(page.getByTestId('header-user')).toHaveText('User: grace');
      await page.getByRole('link', { name: 'Dashboard' }).hover(); // a prefetch, if any, is captured too
      await page.waitForLoadState('networkidle');
      const html = await (await page.request.get(server.url('/login'))).text();
      const rsc = await (await page.request.get(server.url('/login'), { headers: { RSC: '1' } })).text();
      expect(rsc, 'the RSC payload is what the client router receives').toContain('{"user":"grace"}');
      expect(html).toContain('{\\"user\\":\\"grace\\"}'); // the same payload, inlined in the HTML

      for (const [name, body] of [
        ['html', html],
        ['rsc', rsc],
        ...bodies.map((b, i) => [`response ${i}`, b] as const),
      ] as const) {
        expect(body, `${name}: session id`).not.toContain(home.id);
        expect(body, `${name}: cookie value`).not.toContain(cookie);
        // Any 16-character slice of the cookie (e.g. one JWE segment).
        for (let i = 0; i + 16 <= cookie.length; i += 16) {
          expect(body, `${name}: part of the cookie value`).not.toContain(cookie.slice(i, i + 16));
        }
        expect(body, `${name}: created at`).not.toContain(home.createdAt);
        expect(body, `${name}: expires at`).not.toContain(home.expiresAt);
        expect(body, `${name}: non-exposed field`).not.toMatch(/\\?"count2?\\?"/);
      }
      expect(home.count).toBe(2);
    });
  });
}
