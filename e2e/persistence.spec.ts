import { expect, test } from '@playwright/test';
import { increment, login, readHome, type ShownSession } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

const secret = newSecret();
let server: DemoServer | undefined;

/** What must survive. expiresAt is left out: the idle clock is stored in whole seconds. */
const stored = ({ id, user, count, createdAt, isNew }: ShownSession) => ({
  id,
  user,
  count,
  createdAt,
  isNew,
});

test.afterAll(async () => {
  await server?.stop();
});

test('data persists across reloads and a server restart with the same secret', async ({ page }) => {
  server = await startServer({ secret });
  const { port, origin } = server;

  await login(page, origin, 'ada');
  await increment(page);
  await increment(page);
  const first = await readHome(page);
  expect(first.count).toBe(2);

  await page.reload();
  const reloaded = await readHome(page);
  expect(stored(reloaded)).toEqual({ ...stored(first), isNew: false });
  expect(Math.abs(Date.parse(reloaded.expiresAt) - Date.parse(first.expiresAt))).toBeLessThan(1000);

  await server.stop();
  server = await startServer({ secret, port });
  await page.reload();
  expect(await readHome(page), 'same id, user and count after a restart').toEqual(reloaded);

  expect(await increment(page)).toBe(3);
  await page.reload();
  expect(await readHome(page)).toMatchObject({ id: first.id, count: 3, user: 'Signed in as ada' });
});
