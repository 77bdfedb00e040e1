import { randomBytes } from 'node:crypto';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { sealData } from 'iron-session';
import { authjsSignIn } from '../src/test-utils/authjs.ts';
import { COOKIE, readHome } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// A browser that holds the session cookie of the app the demo replaces
// (iron-session, or Auth.js v5 JWT sessions), made by that library itself,
// visits the demo started with SESSION_MIGRATE: it stays signed in, the
// first response (the guard in proxy.ts) swaps the old cookie for the kit's,
// and from then on the kit's cookie alone keeps the user signed in.

const IRON_COOKIE = 'iron-demo';
const AUTHJS_COOKIE = 'authjs.session-token'; // http://127.0.0.1: Auth.js's name without __Secure-

/** Names of the browser's cookies for the demo's origin. */
async function cookieNames(context: BrowserContext): Promise<string[]> {
  return (await context.cookies()).map((c) => c.name).sort();
}

/** The protected page shows the carried-over user: the guard let the session through. */
async function expectDashboard(page: Page, server: DemoServer, name: string): Promise<void> {
  const dashboard = await page.goto(server.url('/dashboard'));
  expect(dashboard?.status()).toBe(200);
  expect(new URL(page.url()).pathname, 'the guard let the migrated user in').toBe('/dashboard');
  await expect(page.getByTestId('dashboard-user')).toHaveText(`Signed in as ${name}`);
}

/** The protected page, then the home page (and its client-side header), show the user. */
async function expectSignedIn(page: Page, server: DemoServer, name: string): Promise<void> {
  await expectDashboard(page, server, name);
  await page.goto(server.url('/'));
  await expect(page.getByTestId('session-user')).toHaveText(`Signed in as ${name}`);
  await expect(page.getByTestId('header-user')).toHaveText(`User: ${name}`);
  expect((await readHome(page)).isNew).toBe(false);
}

test.describe('switching from iron-session', () => {
  const password = randomBytes(32).toString('base64url');
  let server: DemoServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(60_000); // `next start` (and any store) on a busy machine
    server = await startServer({
      secret: newSecret(),
      env: { SESSION_MIGRATE: 'iron', IRON_SESSION_PASSWORD: password },
    });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  test('a browser holding an iron-session cookie stays signed in across the switch', async ({
    page,
    context,
  }) => {
    if (server === undefined) throw new Error('server did not start');
    // What iron-session's save() wrote for a signed-in user, with its default cookie options.
    const seal = await sealData({ user: { id: 'ada', name: 'Ada' } }, { password });
    await context.addCookies([
      { name: IRON_COOKIE, value: seal, url: server.origin, httpOnly: true, secure: true, sameSite: 'Lax' },
    ]);

    // The first page load: the guard in proxy.ts writes the kit cookie and clears the iron one.
    await expectDashboard(page, server, 'Ada');
    expect(await cookieNames(context), 'the iron cookie is gone, the kit cookie is there').toEqual([COOKIE]);
    await expectSignedIn(page, server, 'Ada');

    await page.reload();
    await expect(page.getByTestId('session-user')).toHaveText('Signed in as Ada');
    await expectSignedIn(page, server, 'Ada');

    // Logout ends it for good: no iron cookie is left to sign the user back in.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(server.url('/login'));
    await page.goto(server.url('/dashboard'));
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  test('a tampered iron-session cookie gives a fresh session, reported, never a 500', async ({
    page,
    context,
  }) => {
    if (server === undefined) throw new Error('server did not start');
    const seal = await sealData({ user: { id: 'ada', name: 'Ada' } }, { password });
    const parts = seal.split('*');
    parts[4] = `${parts[4]?.[0] === 'A' ? 'B' : 'A'}${parts[4]?.slice(1)}`;
    await context.addCookies([
      { name: IRON_COOKIE, value: parts.join('*'), url: server.origin, secure: true },
    ]);
    const logged = server.logs().length;
    const response = await page.goto(server.url('/'));
    expect(response?.status()).toBe(200);
    await expect(page.getByTestId('session-user')).toHaveText('Not signed in');
    await expect
      .poll(() => server?.logs().slice(logged))
      .toContain('rejected session cookie: invalid (iron-session cookie)');
    // The guard cleared it with its first response.
    expect(await cookieNames(context)).toEqual([]);
  });
});

test.describe('switching from Auth.js', () => {
  const secret = randomBytes(32).toString('base64url');
  let server: DemoServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(60_000); // `next start` (and any store) on a busy machine
    server = await startServer({
      secret: newSecret(),
      env: { SESSION_MIGRATE: 'authjs', AUTH_SECRET: secret },
    });
  });

  test.afterAll(async () => {
    await server?.stop();
  });

  test('a browser holding a chunked Auth.js session cookie stays signed in across the switch', async ({
    page,
    context,
  }) => {
    if (server === undefined) throw new Error('server did not start');
    // Signed in through Auth.js itself (Credentials, JWT sessions) on http, with a
    // claim large enough that Auth.js splits the cookie in chunks.
    const authjs = await authjsSignIn({
      secret,
      name: 'Grace',
      id: 'grace',
      secure: false,
      claims: { picture: `https://example.com/${'p'.repeat(5000)}` },
    });
    const names = Object.keys(authjs.cookies);
    expect(names).toEqual([`${AUTHJS_COOKIE}.0`, `${AUTHJS_COOKIE}.1`]);
    await context.addCookies(
      Object.entries(authjs.cookies).map(([name, value]) => ({
        name,
        value,
        url: server?.origin ?? '',
        httpOnly: true,
        sameSite: 'Lax' as const,
      })),
    );

    await expectDashboard(page, server, 'Grace');
    expect(await cookieNames(context), 'every Auth.js chunk is gone, the kit cookie is there').toEqual([
      COOKIE,
    ]);
    await expectSignedIn(page, server, 'Grace');

    await page.reload();
    await expect(page.getByTestId('session-user')).toHaveText('Signed in as Grace');
    await expectSignedIn(page, server, 'Grace');
  });

  test('an expired Auth.js cookie gives a fresh session, reported', async ({ page, context }) => {
    if (server === undefined) throw new Error('server did not start');
    const authjs = await authjsSignIn({ secret, name: 'Grace', secure: false, maxAge: -60 });
    await context.addCookies(
      Object.entries(authjs.cookies).map(([name, value]) => ({ name, value, url: server?.origin ?? '' })),
    );
    const logged = server.logs().length;
    await page.goto(server.url('/dashboard'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await expect
      .poll(() => server?.logs().slice(logged))
      .toContain('rejected session cookie: expired (authjs cookie)');
    expect(await cookieNames(context)).toEqual([]);
  });
});
