// A session dated in the future, through every way the kit loads one: the
// guard (which would otherwise re-seal it under the current key), a custom
// proxy, getSession() and hasSession(). The attack: a secret leaks (or an old
// one is still in the rotation list), and the attacker mints a cookie
// "created in 2036" that neither maxAge nor idleTimeout would ever end.
import { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { withSessionRequest } from '../entries/testing.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { forgeCookie } from '../test-utils/forge.ts';
import { Clock } from '../test-utils/harness.ts';
import type { InvalidSessionReason } from '../types.ts';
import { createSessionKit } from './kit.ts';

const CURRENT = 'future-test-current-secret-long-enough-01';
const OLD = 'future-test-old-secret-that-is-long-enough';
const NOW = Date.UTC(2026, 5, 1);
const IN_2036 = Date.UTC(2036, 0, 1);
type Data = { user?: string };

function setup() {
  const reasons: InvalidSessionReason[] = [];
  const kit = createSessionKit<Data>({
    storage: encryptedCookieStorage({ secret: [CURRENT, OLD] }),
    now: new Clock(NOW).now,
    idleTimeout: 3600,
    onInvalidSession: (reason) => reasons.push(reason),
  });
  return { kit, reasons };
}

/** Minted with the old secret, which the app still accepts during the rotation overlap. */
const forged = () =>
  forgeCookie(OLD, {
    createdAt: IN_2036,
    userId: 'admin',
    data: { user: 'admin' },
    flash: { notice: 'Welcome back, admin' },
  });

function req(path: string, cookie: string) {
  return new NextRequest(new URL(path, 'http://app.test'), { headers: { cookie: `session=${cookie}` } });
}

/** The `session` values a response sets in the browser and forwards to its render. */
function sessionCookies(res: Response) {
  const browser = res.headers.get('set-cookie') ?? '';
  const forwarded = res.headers.get('x-middleware-request-cookie') ?? '';
  return {
    browser,
    forwarded: /(?:^|; )session=([^;]*)/.exec(forwarded)?.[1],
  };
}

describe('a session dated in the future', () => {
  it('guard: sealed with the old key, created in 2036 → not re-sealed, not signed in, reason future', async () => {
    const { kit, reasons } = setup();
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const cookie = await forged();

    const protectedPage = await proxy(req('/dashboard', cookie));
    expect(protectedPage.status).toBe(307);
    expect(new URL(protectedPage.headers.get('location') ?? '').pathname).toBe('/login');
    // The only write clears the cookie: nothing sealed under the current key.
    expect(sessionCookies(protectedPage).browser).toMatch(/^session=; .*Max-Age=0/);

    const openPage = await proxy(req('/', cookie));
    expect(openPage.headers.get('x-middleware-next')).toBe('1');
    const { browser, forwarded } = sessionCookies(openPage);
    expect(browser).toMatch(/^session=; .*Max-Age=0/);
    // The render sees no session either, so neither the data nor the flash message reach it.
    expect(forwarded).toBeUndefined();

    expect(reasons).toEqual(['future', 'future']);
  });

  it('proxySession(): a fresh session, reported', async () => {
    const { kit, reasons } = setup();
    const { session } = await kit.proxySession<Data>(req('/', await forged()));
    expect(session.isNew).toBe(true);
    expect(session.userId).toBeUndefined();
    expect(session.get('user')).toBeUndefined();
    expect(reasons).toEqual(['future']);
  });

  it('getSession() gives a fresh session and reports it; hasSession() says no, quietly', async () => {
    const { kit, reasons } = setup();
    const cookies = { session: await forged() };
    const page = await withSessionRequest({ cookies, readOnly: true }, async () => {
      const session = await kit.getSession();
      return { isNew: session.isNew, userId: session.userId, flash: await session.getFlash('notice') };
    });
    expect(page.result).toEqual({ isNew: true, userId: undefined, flash: undefined });
    expect(reasons).toEqual(['future']);

    const route = await withSessionRequest({ cookies }, () => kit.hasSession());
    expect(route.result).toBe(false);
    expect(reasons).toEqual(['future']);
  });
});
