import { expect, test } from '@playwright/test';
import { increment, login, sessionCookies, submitLogin } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// proxy.ts: guard({ protect: ['/dashboard', '/sessions', '/api/private'], loginPath: '/login', csrf: true }).
// One demo server (cookie storage) for the file.
let server: DemoServer;

test.beforeAll(async () => {
  server = await startServer({ secret: newSecret() });
});

test.afterAll(async () => {
  await server?.stop();
});

test('a guarded page sends signed-out visitors to sign in, then back where they were', async ({
  page,
  context,
}) => {
  const loginUrl = server.url('/login?next=%2Fdashboard%3Ftab%3Dx');
  const direct = await page.request.get(server.url('/dashboard?tab=x'), { maxRedirects: 0 });
  expect(direct.status()).toBe(307);
  expect(new URL(direct.headers().location ?? '', server.origin).toString()).toBe(loginUrl);

  await page.goto(server.url('/dashboard?tab=x'));
  await page.waitForURL(loginUrl);
  await expect(page.locator('input[name="next"]'), 'the form carries ?next=').toHaveValue('/dashboard?tab=x');
  expect(await sessionCookies(context), 'the guard writes nothing for anonymous visitors').toHaveLength(0);

  await submitLogin(page, 'ada');
  await page.waitForURL(server.url('/dashboard?tab=x'));
  await expect(page.getByTestId('dashboard-user')).toHaveText('Signed in as ada');
  await expect(page.getByTestId('dashboard-tab')).toHaveText('x');

  // Signed in, the guard lets the page through; so does the nav link.
  await page.goto(server.url('/'));
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL(server.url('/dashboard'));
  await expect(page.getByTestId('dashboard-user')).toHaveText('Signed in as ada');
});

test('?next= never leads to another site after signing in', async ({ page }) => {
  for (const next of ['//evil.example', 'https://evil.example', '/\\evil.example']) {
    await page.goto(server.url(`/login?next=${encodeURIComponent(next)}`));
    await expect(page.locator('input[name="next"]')).toHaveValue(next);
    await submitLogin(page, 'mallory');
    await page.waitForURL(server.url('/'));
    await expect(page.getByTestId('session-user')).toHaveText('Signed in as mallory');
  }
});

test('the private API answers 401 JSON without a signed-in session', async ({ page }) => {
  const anonymous = await page.request.get(server.url('/api/private/anything'));
  expect(anonymous.status()).toBe(401);
  expect(anonymous.headers()['content-type']).toContain('application/json');
  expect(await anonymous.json()).toEqual({ error: 'unauthenticated' });

  // A session without a user (an anonymous counter) is not signed in either.
  await page.goto(server.url('/'));
  await increment(page);
  const withCookie = await page.request.get(server.url('/api/private/me'));
  expect(withCookie.status()).toBe(401);
  expect(await withCookie.json()).toEqual({ error: 'unauthenticated' });

  await login(page, server.origin, 'grace');
  const me = await page.request.get(server.url('/api/private/me'));
  expect(me.status()).toBe(200);
  expect(await me.json()).toEqual({ userId: 'grace', user: 'grace' });
  expect((await page.request.get(server.url('/api/private/anything'))).status(), 'past the guard').toBe(404);
});

test('a cross-site POST to a Route Handler is refused; same-site passes', async ({ request }) => {
  const evil = await request.post(server.url('/api/session'), {
    headers: { Origin: 'https://evil.example' },
  });
  expect(evil.status()).toBe(403);
  expect(await evil.json()).toEqual({ error: 'cross-site request refused' });
  expect(evil.headers()['set-cookie'], 'refused before the session is touched').toBeUndefined();

  const crossSite = await request.post(server.url('/api/session'), {
    headers: { 'Sec-Fetch-Site': 'cross-site' },
  });
  expect(crossSite.status(), 'no Origin, but Sec-Fetch-Site says cross-site').toBe(403);

  // Safe methods pass whatever the Origin: /api/session stays public.
  const read = await request.get(server.url('/api/session'), { headers: { Origin: 'https://evil.example' } });
  expect(read.status()).toBe(200);

  const same = await request.post(server.url('/api/session'), { headers: { Origin: server.origin } });
  expect(same.status()).toBe(200);
  expect(await same.json()).toMatchObject({ user: null, count: 1 });
});
