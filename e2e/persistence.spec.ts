import { expect, test } from '@playwright/test';
import { increment, login, readHome, type ShownSession } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { STORAGES, type StoreServer, startStore } from './stores';

/** What must survive. expiresAt is left out: the idle clock is stored in whole seconds. */
const stored = ({ id, user, count, createdAt, isNew }: ShownSession) => ({
  id,
  user,
  count,
  createdAt,
  isNew,
});

for (const storage of STORAGES) {
  test.describe(`${storage} storage`, () => {
    const secret = newSecret();
    let store: StoreServer | undefined;
    let server: DemoServer | undefined;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // a store (three nodes for a Cluster) on a busy machine
      store = await startStore(storage);
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    // Cookie storage: the data is in the cookie, sealed with the secret. Stores: the data
    // is in the store (which keeps running), the cookie only names it.
    test('data persists across reloads and a server restart', async ({ page }) => {
      if (store === undefined) throw new Error('no store');
      server = await startServer({ secret, env: store.env });
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
      server = await startServer({ secret, port, env: store.env });
      await page.reload();
      expect(await readHome(page), 'same id, user and count after a restart').toEqual(reloaded);

      expect(await increment(page)).toBe(3);
      await page.reload();
      expect(await readHome(page)).toMatchObject({ id: first.id, count: 3, user: 'Signed in as ada' });
    });
  });
}
