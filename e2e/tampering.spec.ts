import { expect, test } from '@playwright/test';
import { increment, login, readHome, sessionCookie, setSessionCookieValue, tamper } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';

let server: DemoServer;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  server = await startServer({ secret: newSecret() });
});

test.afterAll(async () => {
  await server?.stop();
});

const variants: Array<{ name: string; change: (value: string) => string }> = [
  { name: 'one flipped character', change: tamper },
  { name: 'a truncated value', change: (value) => value.slice(0, Math.floor(value.length / 2)) },
  { name: 'garbage', change: () => 'not-a-session-cookie' },
  { name: 'a garbage JWE', change: () => 'eyJhbGciOiJkaXIifQ..AAAA.AAAA.AAAA' },
];

for (const variant of variants) {
  test(`a cookie with ${variant.name} gives a fresh session`, async ({ page, context }) => {
    await login(page, server.origin, 'mallory');
    await increment(page);
    const original = await readHome(page);
    const cookie = await sessionCookie(context);
    const bad = variant.change(cookie.value);
    expect(bad).not.toBe(cookie.value);

    await setSessionCookieValue(context, cookie, bad);
    const logged = server.logs().length;
    const response = await page.goto(server.url('/'));
    expect(response?.status(), 'no 500 for a bad cookie').toBe(200);
    const shown = await readHome(page);
    expect(shown).toMatchObject({ user: 'Not signed in', count: 0, isNew: true });
    expect(shown.id).not.toBe(original.id);

    // onInvalidSession reported it (the demo logs the reason only, never the value).
    await expect.poll(() => server.logs().slice(logged)).toContain('rejected session cookie: invalid');
    expect(server.logs()).not.toContain(bad);

    // The API agrees, and saving replaces the bad cookie with a good one.
    const api = await page.request.get(server.url('/api/session'));
    expect(api.status()).toBe(200);
    expect(await api.json()).toMatchObject({ isNew: true, user: null, count: 0 });
    expect(await increment(page)).toBe(1);
    await page.reload();
    expect(await readHome(page)).toMatchObject({ count: 1, isNew: false, user: 'Not signed in' });
  });
}
