// `next-session-kit/testing` against Server Actions, a page and a Route
// Handler written like a user's: login (newSession + redirect), increment,
// logout, and the end-of-request unsaved-changes warning.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionReadOnlyError } from '../errors.ts';
import { GET, Home, increment, incrementWithoutSaving, login, logout } from '../test-utils/example-app.ts';
import { createTestBrowser, withSessionRequest } from './testing.ts';

const form = (name: string) => {
  const data = new FormData();
  data.set('name', name);
  return data;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('withSessionRequest', () => {
  it('runs a login action that calls newSession() and redirect(), and hands back its cookies', async () => {
    const signedIn = await withSessionRequest({}, () => login(form('ada')));
    expect(signedIn.redirect).toBe('/');
    expect(Object.keys(signedIn.cookies)).toEqual(['session']);
    expect(signedIn.setCookies[0]?.options).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/' });

    const page = await withSessionRequest({ cookies: signedIn.cookies, readOnly: true }, () => Home());
    expect(page.result).toBe('Signed in as ada. Count: 0');
    expect(page.setCookies).toEqual([]);

    const counted = await withSessionRequest({ cookies: signedIn.cookies }, () => increment());
    expect(counted.result).toBe(1);
    const again = await withSessionRequest({ cookies: counted.cookies }, () => increment());
    expect(again.result).toBe(2);
  });

  it('a request without cookies gets a fresh session; nothing is written unless it saves', async () => {
    const anonymous = await withSessionRequest({ readOnly: true }, () => Home());
    expect(anonymous.result).toBe('Sign in');
    expect(anonymous.cookies).toEqual({});
  });

  it('like a server component, a read-only request refuses save()', async () => {
    await expect(withSessionRequest({ readOnly: true }, () => increment())).rejects.toBeInstanceOf(
      SessionReadOnlyError,
    );
  });

  it('an https url makes the session cookie Secure', async () => {
    const secure = await withSessionRequest({ url: 'https://app.example/login' }, () => login(form('ada')));
    expect(secure.setCookies[0]?.options.secure).toBe(true);
    const plain = await withSessionRequest({ url: 'http://localhost:3000/login' }, () => login(form('ada')));
    expect(plain.setCookies[0]?.options.secure).toBe(false);
  });

  it('an https url names the cookie __Host-session, and a planted session cookie is never read there', async () => {
    const url = 'https://app.example/';
    const mallory = await withSessionRequest({ url }, () => login(form('mallory')));
    expect(Object.keys(mallory.cookies)).toEqual(['__Host-session']);
    const token = Object.values(mallory.cookies)[0] ?? '';
    const ada = await withSessionRequest({ url }, () => login(form('ada')));
    for (const name of ['session', 'session.0']) {
      const both = await withSessionRequest(
        { url, cookies: { ...ada.cookies, [name]: token }, readOnly: true },
        () => Home(),
      );
      expect(both.result, name).toBe('Signed in as ada. Count: 0');
      const alone = { [name]: token };
      expect((await withSessionRequest({ url, cookies: alone, readOnly: true }, () => Home())).result).toBe(
        'Sign in',
      );
      expect((await withSessionRequest({ url, cookies: alone }, () => GET())).result?.status).toBe(401);
    }
    const out = await withSessionRequest({ url, cookies: ada.cookies }, () => logout());
    expect(out.cookies).toEqual({});
  });

  it('a Route Handler can use hasSession() without creating a session', async () => {
    const anonymous = await withSessionRequest({}, () => GET());
    expect(anonymous.result?.status).toBe(401);
    expect(anonymous.setCookies).toEqual([]);
    const { cookies } = await withSessionRequest({}, () => login(form('bob')));
    const me = await withSessionRequest({ cookies }, () => GET());
    expect(await me.result?.json()).toEqual({ user: 'bob' });
    const forged = await withSessionRequest({ cookies: { session: `${cookies.session?.slice(1)}x` } }, () =>
      GET(),
    );
    expect(forged.result?.status).toBe(401);
  });

  it('warns at the end of a request that changed the session without saving, naming keys not values', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { cookies } = await withSessionRequest({}, () => login(form('ada')));
    expect(warn).not.toHaveBeenCalled();
    const forgot = await withSessionRequest({ cookies }, () => incrementWithoutSaving());
    expect(forgot.setCookies).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]?.[0]);
    expect(message).toContain('the session was changed (count) but never saved');
    expect(message).toContain('await session.save()');
    expect(message).not.toContain('ada');
    // Saved: no warning.
    await withSessionRequest({ cookies }, () => increment());
    expect(warn).toHaveBeenCalledTimes(1);
  });
});

describe('createTestBrowser', () => {
  it('carries cookies from request to request: login, count, log out', async () => {
    const browser = createTestBrowser();
    expect((await browser.request(() => login(form('ada')))).redirect).toBe('/');
    await browser.request(() => increment());
    expect((await browser.request(() => Home(), { readOnly: true })).result).toBe(
      'Signed in as ada. Count: 1',
    );
    expect((await browser.request(() => logout())).redirect).toBe('/login');
    expect(browser.cookies.size).toBe(0);
    expect((await browser.request(() => Home(), { readOnly: true })).result).toBe('Sign in');
  });
});
