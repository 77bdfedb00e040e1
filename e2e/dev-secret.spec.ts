import { expect, test } from '@playwright/test';
import { increment, login, readHome } from './helpers';
import { type DemoServer, startServer } from './server';

let server: DemoServer | undefined;

test.afterAll(async () => {
  await server?.stop();
});

test('without SESSION_SECRET the demo runs on its dev key and warns once', async ({ page }) => {
  server = await startServer(); // no SESSION_SECRET
  await login(page, server.origin, 'ada');
  await increment(page);
  await page.goto(server.url('/readonly'));
  const api = await page.request.post(server.url('/api/session'));
  expect(await api.json()).toMatchObject({ user: 'ada', count: 2 });
  await page.goto(server.url('/'));
  expect(await readHome(page)).toMatchObject({ user: 'Signed in as ada', count: 2 });

  const logs = server.logs();
  expect(logs).toContain('npx next-session-kit secret');
  expect(logs.split('SESSION_SECRET is not set').length - 1, 'one warning per process').toBe(1);
});
