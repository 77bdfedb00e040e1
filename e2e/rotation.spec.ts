import { expect, test } from '@playwright/test';
import { increment, jweHeader, login, readHome, sessionCookie } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

const s1 = newSecret();
const s2 = newSecret();
const s3 = newSecret();
let server: DemoServer | undefined;

test.afterAll(async () => {
  await server?.stop();
});

test('key rotation: old cookies stay valid and are re-sealed with the new key', async ({ page, context }) => {
  server = await startServer({ secret: s1 });
  const { port, origin } = server;
  const restart = async (secret: string) => {
    await server?.stop();
    server = await startServer({ secret, port });
  };

  await login(page, origin, 'ada');
  const start = await readHome(page);
  const kid1 = jweHeader((await sessionCookie(context)).value).kid;
  expect(typeof kid1, 'the JWE header names its key').toBe('string');
  await page.goto(server.url('/dashboard')); // takes the login's flash out of the cookie, if still there
  const quiet = await page.reload();
  expect(await quiet?.headerValue('set-cookie'), 'nothing due: the guard writes nothing').toBeNull();

  // New key first, old key still accepted. A plain GET of a guarded page (no Server Action,
  // no save()) is enough: the guard in proxy.ts re-seals the cookie with the new key, in the
  // response and in the cookie the render reads.
  await restart(`${s2},${s1}`);
  const resealed = await page.goto(server.url('/dashboard'));
  expect(resealed?.status()).toBe(200);
  expect(await resealed?.headerValue('set-cookie')).toContain('__Host-session=');
  await expect(page.getByTestId('dashboard-user')).toHaveText('Signed in as ada');
  const kid2 = jweHeader((await sessionCookie(context)).value).kid;
  expect(typeof kid2).toBe('string');
  expect(kid2, 're-sealed with the current (first) key').not.toBe(kid1);
  await page.goto(server.url('/'));
  expect(await readHome(page)).toMatchObject({ id: start.id, user: 'Signed in as ada', count: 0 });

  await increment(page);
  expect(jweHeader((await sessionCookie(context)).value).kid, 'saving keeps the current key').toBe(kid2);

  // Old key retired.
  await restart(s2);
  await page.reload();
  expect(await readHome(page)).toMatchObject({ id: start.id, user: 'Signed in as ada', count: 1 });
  await increment(page);
  expect(jweHeader((await sessionCookie(context)).value).kid, 'S2 alone seals with the same kid').toBe(kid2);

  // An unrelated key opens nothing.
  await restart(s3);
  const logged = server?.logs().length ?? 0;
  const response = await page.reload();
  expect(response?.status()).toBe(200);
  const shown = await readHome(page);
  expect(shown).toMatchObject({ user: 'Not signed in', count: 0, isNew: true });
  expect(shown.id).not.toBe(start.id);
  await expect.poll(() => server?.logs().slice(logged)).toContain('rejected session cookie: unknown-key');
});
