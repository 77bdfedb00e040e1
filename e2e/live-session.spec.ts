import { expect, type Page, type Response, test } from '@playwright/test';
import { increment, submitLogin } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// The `live` option (app/lib/session.ts): two tabs of one browser (two pages
// of one context share cookies, BroadcastChannel and localStorage). What one
// tab's server renders show, the other follows through
// app/api/session/client/route.ts (clientSessionHandler), without a reload.
const ENDPOINT = '/api/session/client';
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

/** Waits until React has hydrated the element (the provider's effects run with it). */
async function hydrated(page: Page, selector: string): Promise<void> {
  await page.waitForFunction(
    (sel) => Object.keys(document.querySelector(sel) ?? {}).some((k) => k.startsWith('__react')),
    selector,
  );
}

interface Snapshot {
  status: number;
  headers: Record<string, string>;
  requestHeaders: Record<string, string>;
  body: string;
}

/** Every snapshot fetch a page makes, with its answer. */
function recordSnapshots(page: Page, server: DemoServer): Snapshot[] {
  const seen: Snapshot[] = [];
  page.on('response', async (response: Response) => {
    if (response.url() !== server.url(ENDPOINT)) return;
    seen.push({
      status: response.status(),
      headers: await response.allHeaders(),
      requestHeaders: await response.request().allHeaders(),
      body: await response.text().catch(() => ''),
    });
  });
  return seen;
}

function expectOnlyExposed(snapshots: readonly Snapshot[]): void {
  expect(snapshots.length).toBeGreaterThan(0);
  for (const snapshot of snapshots) {
    expect(snapshot.status).toBe(200);
    expect(snapshot.body, 'only the exposed field travels').toMatch(/^\{("user":"[^"]*")?\}$/);
    expect(snapshot.headers['set-cookie'], 'the snapshot route never writes a cookie').toBeUndefined();
    expect(snapshot.headers['cache-control']).toContain('no-store');
    expect(snapshot.requestHeaders['x-session-kit']).toBe('snapshot');
  }
}

for (const storage of ['cookie', 'redis'] as const) {
  test.describe(`useSession() across tabs on the ${storage} storage`, () => {
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

    test('a login, a rename and a logout in one tab show in the other without a reload', async ({
      context,
    }) => {
      const a = await context.newPage();
      const b = await context.newPage();
      const headerA = a.getByTestId('header-user');
      const headerB = b.getByTestId('header-user');
      await b.goto(server.url('/readonly'));
      await a.goto(server.url('/login'));
      await expect(headerB).toHaveText('Guest');
      await hydrated(b, '[data-testid="header-user"]');
      await hydrated(a, '#username');
      await markDocument(b);
      const fetchedByB = recordSnapshots(b, server);

      // Login in A (a Server Action, then its redirect): B signs in too.
      await submitLogin(a, 'ada');
      await a.waitForURL(server.url('/'));
      await expect(headerA).toHaveText('User: ada');
      await expect(headerB).toHaveText('User: ada');

      // A Server Action in A that changes the exposed field.
      await hydrated(a, '#display-name');
      await a.getByLabel('Display name').fill('Ada Lovelace');
      await a.getByRole('button', { name: 'Rename' }).click();
      await expect(headerA).toHaveText('User: Ada Lovelace');
      await expect(headerB).toHaveText('User: Ada Lovelace');

      // One that changes a field the client does not see: B keeps its value.
      await increment(a);
      await expect(headerB).toHaveText('User: Ada Lovelace');

      // Logout in A: B is signed out too.
      await a.getByRole('button', { name: 'Log out' }).click();
      await a.waitForURL(server.url('/login'));
      await expect(headerA).toHaveText('Guest');
      await expect(headerB).toHaveText('Guest');

      expect(await documentMarker(b), 'B followed without a reload').toBe(MARKER);
      expect(b.url(), 'B stayed where it was').toBe(server.url('/readonly'));
      expectOnlyExposed(fetchedByB);
      for (const snapshot of fetchedByB) expect(snapshot.body).not.toMatch(/count|user-|"id"/);
    });

    test('a tab that gets the focus again catches up with a change no tab saw', async ({ context }) => {
      const a = await context.newPage();
      const b = await context.newPage();
      await a.goto(server.url('/login'));
      await hydrated(a, '#username');
      await submitLogin(a, 'grace');
      await a.waitForURL(server.url('/'));
      await b.goto(server.url('/readonly'));
      const headerB = b.getByTestId('header-user');
      await expect(headerB).toHaveText('User: grace');
      await hydrated(b, '[data-testid="header-user"]');
      await markDocument(b);
      const fetchedByB = recordSnapshots(b, server);

      // The session goes without any page of this browser rendering it: its
      // cookie is dropped (with the Redis storage, the record stays, unused).
      await context.clearCookies();
      await expect(headerB, 'nothing told B yet').toHaveText('User: grace');

      // The user comes back to B (another window was in front).
      await b.evaluate(() => window.dispatchEvent(new Event('focus')));
      await expect(headerB).toHaveText('Guest');
      expect(await documentMarker(b)).toBe(MARKER);
      expectOnlyExposed(fetchedByB);
    });

    // A cookie session cannot be ended from another device: a store's can.
    if (storage === 'redis') {
      test('signed out from another device: the tab shows it when it gets the focus again', async ({
        context,
        browser,
      }) => {
        const laptop = await context.newPage();
        await laptop.goto(server.url('/login'));
        await hydrated(laptop, '#username');
        await submitLogin(laptop, 'ada');
        await laptop.waitForURL(server.url('/'));
        await laptop.goto(server.url('/readonly'));
        const header = laptop.getByTestId('header-user');
        await expect(header).toHaveText('User: ada');
        await hydrated(laptop, '[data-testid="header-user"]');
        await markDocument(laptop);

        const phoneContext = await browser.newContext();
        try {
          const phone = await phoneContext.newPage();
          await phone.goto(server.url('/login'));
          await hydrated(phone, '#username');
          await submitLogin(phone, 'ada');
          await phone.waitForURL(server.url('/'));
          await phone.goto(server.url('/sessions'));
          await hydrated(phone, 'button');
          await phone.getByRole('button', { name: 'Sign out other devices' }).click();
          await expect(phone.getByTestId('session-row')).toHaveCount(1);
        } finally {
          await phoneContext.close();
        }

        await expect(header, 'nothing told the laptop yet').toHaveText('User: ada');
        await laptop.evaluate(() => window.dispatchEvent(new Event('focus')));
        await expect(header).toHaveText('Guest');
        expect(await documentMarker(laptop)).toBe(MARKER);
      });
    }

    test('the snapshot route answers only the client provider, and never another site', async ({
      request,
    }) => {
      const plain = await request.get(server.url(ENDPOINT));
      expect(plain.status()).toBe(400);
      const crossSite = await request.get(server.url(ENDPOINT), {
        headers: { 'x-session-kit': 'snapshot', 'sec-fetch-site': 'cross-site' },
      });
      expect(crossSite.status()).toBe(403);
      const ok = await request.get(server.url(ENDPOINT), { headers: { 'x-session-kit': 'snapshot' } });
      expect(ok.status()).toBe(200);
      expect(await ok.json()).toEqual({});
      expect(ok.headers()['set-cookie']).toBeUndefined();
    });
  });
}
