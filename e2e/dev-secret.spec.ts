import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { DEV_COOKIE, increment, login, readHome } from './helpers';
import { type DemoServer, startServer } from './server';

// Development safety nets of the demo, which uses sessionSecret(): without
// SESSION_SECRET, production refuses to start while `next dev` generates one
// key and keeps it in a git-ignored file, so a restart keeps users signed
// in; and a change never saved is reported in the dev server's log.
const root = fileURLToPath(new URL('..', import.meta.url));
const devDir = join(root, '.next-session-kit');
const devFile = join(devDir, 'dev-secret');
const backup = join(root, '.tmp', 'dev-secret.e2e-backup');

let server: DemoServer | undefined;

test.beforeAll(() => {
  // A developer's own key is put aside and restored afterwards.
  if (!existsSync(devFile)) return;
  mkdirSync(dirname(backup), { recursive: true });
  renameSync(devFile, backup);
});

test.afterAll(async () => {
  await server?.stop();
  if (existsSync(backup)) renameSync(backup, devFile);
  else rmSync(devDir, { recursive: true, force: true });
});

test('production without SESSION_SECRET refuses to serve, saying how to make one', async ({ request }) => {
  server = await startServer({ ready: (status) => status === 500 }); // no SESSION_SECRET
  const response = await request.get(server.url('/'));
  expect(response.status()).toBe(500);
  await expect.poll(() => server?.logs()).toContain('SESSION_SECRET is not set');
  const logs = server.logs();
  expect(logs).toContain('npx next-session-kit secret');
  expect(logs).toContain('SESSION_SECRET=<secret>');
  expect(existsSync(devFile), 'production never generates a key').toBe(false);
  await server.stop();
  server = undefined;
});

test('next start with a NODE_ENV other than production (staging) refuses too', async ({ request }) => {
  // `next start` keeps a non-standard NODE_ENV; only development and test may generate a key.
  server = await startServer({ env: { NODE_ENV: 'staging' }, ready: (status) => status === 500 });
  const response = await request.get(server.url('/'));
  expect(response.status()).toBe(500);
  await expect.poll(() => server?.logs()).toContain('SESSION_SECRET is not set');
  expect(server.logs()).toContain('NODE_ENV is "staging"');
  expect(existsSync(devFile), 'staging never generates a key').toBe(false);
  await server.stop();
  server = undefined;
});

test('next dev generates a git-ignored key, warns once, and a login survives a restart', async ({ page }) => {
  test.setTimeout(300_000);
  server = await startServer({ mode: 'dev' }); // no SESSION_SECRET
  const { port } = server;
  await login(page, server.origin, 'ada');
  await increment(page);

  // The key: one file, readable by its owner only, ignored by git through its folder's own .gitignore.
  const key = readFileSync(devFile, 'utf8').trim();
  expect(key.length).toBeGreaterThanOrEqual(43);
  expect(statSync(devFile).mode & 0o777).toBe(0o600);
  expect(readFileSync(join(devDir, '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.next-session-kit\/$/m);
  const logs = server.logs();
  expect(logs.split('SESSION_SECRET is not set').length - 1, 'one warning per process').toBe(1);
  expect(logs).toContain('.next-session-kit/dev-secret');
  expect(logs).not.toContain(key);

  // A change that is never saved is reported after the request, by key name.
  const cookie = (await page.context().cookies()).find((c) => c.name === DEV_COOKIE);
  expect(cookie).toBeDefined();
  const forgot = await page.request.post(server.url('/api/forgot-save'));
  expect(await forgot.json()).toEqual({ saved: false });
  await expect.poll(() => server?.logs()).toContain('the session was changed (count) but never saved');

  // Restart the dev server: same key from the file, so the session is still valid. Leave the page
  // first: a dev page's HMR client reloads it when its server comes back, racing our navigation.
  await page.goto('about:blank');
  await server.stop();
  server = await startServer({ mode: 'dev', port });
  await page.goto(server.url('/'));
  expect(await readHome(page)).toMatchObject({ user: 'Signed in as ada', count: 1, isNew: false });
  expect(readFileSync(devFile, 'utf8').trim()).toBe(key);
});
