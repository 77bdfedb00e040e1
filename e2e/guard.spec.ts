import { request as httpRequest } from 'node:http';
import { expect, test } from '@playwright/test';
import { increment, login, sessionCookies, submitLogin } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// proxy.ts: guard({ protect: ['/dashboard', '/sessions', '/api/private'], loginPath: '/login', csrf: true }).
// One demo server (cookie storage) for the file.
let server: DemoServer;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
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

/**
 * A GET with the request target exactly as given: no browser or client
 * library normalises "%0A" or "%E2%80%A8" on the way.
 */
function rawGet(path: string): Promise<{ status: number; location?: string; body: string }> {
  const { hostname, port } = new URL(server.origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a path holding a line terminator is guarded like any other, on the wire', async () => {
  for (const path of ['/dashboard/%0A42', '/dashboard/x%0D', '/dashboard/%E2%80%A8a', '/about/%0A']) {
    const page = await rawGet(path);
    expect(page.status, path).toBe(307);
    const location = new URL(page.location ?? '', server.origin);
    expect(location.origin + location.pathname, path).toBe(server.url('/login'));
    expect(location.searchParams.get('next'), path).toBe(path);
  }
  for (const path of ['/api/private/%0D7', '/api/private/%E2%80%A9', '/api/private/me%0A']) {
    const api = await rawGet(path);
    expect(api.status, path).toBe(401);
    expect(JSON.parse(api.body), path).toEqual({ error: 'unauthenticated' });
  }
  // The login page itself stays open, and ordinary public pages too.
  expect((await rawGet('/login')).status).toBe(200);
  expect((await rawGet('/')).status).toBe(200);
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
