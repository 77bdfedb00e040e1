import { expect, test } from '@playwright/test';
import { forgeCookie } from '../src/test-utils/forge.ts';
import { COOKIE, increment, jweHeader, login, readHome, sessionCookie, sessionCookies } from './helpers';
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
  // Leave the page first: an open page keeps talking to the server on its own (after a Server
  // Action, Next re-prefetches every visible link, and retries them while the server is down),
  // and those requests would reach the new server with the old cookie before the test's own
  // request: they would be logged first (the guard no longer writes cookies on them).
  const restart = async (secret: string) => {
    await page.goto('about:blank');
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
  await page.goto(server.url('/'));
  expect(await readHome(page)).toMatchObject({ id: start.id, user: 'Signed in as ada', count: 1 });
  await increment(page);
  expect(jweHeader((await sessionCookie(context)).value).kid, 'S2 alone seals with the same kid').toBe(kid2);

  // An unrelated key opens nothing.
  // This request is the only one that reaches the new server with the old cookie, so it is
  // the one the guard rejects (and reports, before answering) and whose response clears it.
  await restart(s3);
  const logged = server?.logs().length ?? 0;
  const response = await page.goto(server.url('/'));
  expect(response?.status()).toBe(200);
  expect(await response?.headerValue('set-cookie'), 'the rejected cookie is cleared').toMatch(
    /^__Host-session=;.*Max-Age=0/,
  );
  const shown = await readHome(page);
  expect(shown).toMatchObject({ user: 'Not signed in', count: 0, isNew: true });
  expect(shown.id).not.toBe(start.id);
  // The line is written before the response is sent; it reaches this process through a pipe.
  await expect.poll(() => server?.logs().slice(logged)).toContain('rejected session cookie: unknown-key');
});

test('a cookie sealed with the old key and dated ten years ahead is refused, never re-sealed', async ({
  context,
}) => {
  // Whoever holds the old secret (leaked, still in the list during the overlap) mints this.
  const rotating = await startServer({ secret: `${s2},${s1}` });
  try {
    const forged = await forgeCookie(s1, {
      createdAt: Date.now() + 10 * 365 * 24 * 3600 * 1000,
      userId: 'admin',
      data: { user: 'admin' },
    });
    await context.addCookies([
      { name: COOKIE, value: forged, domain: '127.0.0.1', path: '/', secure: true, httpOnly: true },
    ]);
    const logged = rotating.logs().length;
    const response = await context.request.get(rotating.url('/dashboard'), { maxRedirects: 0 });
    expect(response.status(), 'not signed in').toBe(307);
    expect(response.headers().location).toContain('/login?next=%2Fdashboard');
    expect(response.headers()['set-cookie'], 'cleared, not re-sealed with the current key').toMatch(
      /^__Host-session=;.*Max-Age=0/,
    );
    expect(await sessionCookies(context)).toEqual([]);
    await expect.poll(() => rotating.logs().slice(logged)).toContain('rejected session cookie: future');
  } finally {
    await rotating.stop();
  }
});
