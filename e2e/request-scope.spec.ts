import { expect, test } from '@playwright/test';
import { login } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

// "Every call in one request returns the same object" (docs/api.md, `getSession()`), in real requests
// to `next start`: a server component render, a Server Action and a Route Handler. The kit keys
// its per-request slot on Next's headers object; if a Next upgrade handed out a new one per call,
// these fail. The routes under /checks answer 404 unless DEMO_CHECKS=1.
let server: DemoServer;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  server = await startServer({ secret: newSecret(), env: { DEMO_CHECKS: '1' } });
});

test.afterAll(async () => {
  await server?.stop();
});

test('one session object per request in a render, a Server Action and a Route Handler', async ({ page }) => {
  await login(page, server.origin, 'ada'); // a session loaded from a cookie, not only a fresh one

  for (let request = 1; request <= 2; request++) {
    await page.goto(server.url('/checks/same-session'));
    await expect(page.getByTestId('render-same')).toHaveText('true');
    await expect(page.getByTestId('nested-same'), 'a nested server component gets it too').toHaveText('true');
    await expect(page.getByTestId('render-fresh'), `request ${request} has its own object`).toHaveText(
      'true',
    );
  }

  await page.getByRole('button', { name: 'Compare in a Server Action' }).click();
  await expect(page.getByTestId('action-same')).toHaveText('same');

  for (let request = 1; request <= 2; request++) {
    const get = await page.request.get(server.url('/checks/same-session/route-handler'));
    expect(get.status()).toBe(200);
    expect(await get.json(), `GET ${request}`).toEqual({ same: true, fresh: true });
  }
  const post = await page.request.post(server.url('/checks/same-session/route-handler'));
  expect(post.status()).toBe(200);
  expect(await post.json(), 'getSession() after newSession() returns the new session').toEqual({
    replaced: true,
    same: true,
    fresh: true,
  });
});
