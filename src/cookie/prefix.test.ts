// The cookie's name prefix (RFC 6265bis §4.1.3) and cookie tossing: a
// sibling subdomain can plant `session` or `session.0` for the whole site,
// but never a `__Host-` cookie, so on Secure requests the kit reads only that.
import { compactDecrypt } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deriveCookieKey } from '../codec/keys.ts';
import { SessionConfigError } from '../errors.ts';
import { resolveKitOptions } from '../options.ts';
import { fernetCookieStorage } from '../storage/aiohttp/fernet-cookie.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import type { SessionStorage } from '../storage/types.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import type { CookieOptions } from '../types.ts';
import { carriesCookiePrefix, effectiveCookieName } from './prefix.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0001';
const FERNET_KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
type Data = { user?: string };

afterEach(() => {
  vi.unstubAllEnvs();
});

function kit(
  options: { cookieName?: string; cookie?: CookieOptions; storage?: SessionStorage } = {},
): Harness<Data> {
  // memoryStorage() keeps its TTLs on the real clock.
  return new Harness<Data>(
    { storage: encryptedCookieStorage({ secret: SECRET }), ...options },
    new Clock(Date.now()),
  );
}

/** Signs `user` in through `h` in a fresh browser; returns the browser. */
async function signIn(h: Harness<Data>, user: string, secure: boolean): Promise<TestBrowser> {
  const browser = new TestBrowser();
  await h.request(
    browser,
    async (_s, { newSession }) => {
      const s = newSession(user);
      s.set('user', user);
      await s.save();
    },
    secure,
  );
  return browser;
}

/** The value of the one session cookie a browser holds, whatever its name. */
function cookieValue(browser: TestBrowser): string {
  const values = [...browser.cookies.values()];
  expect(values).toHaveLength(1);
  return values[0] ?? '';
}

/** Who the browser's next request is signed in as (`undefined`: nobody). */
function whoIs(h: Harness<Data>, browser: TestBrowser, secure: boolean): Promise<string | undefined> {
  return h.request(browser, (s) => s.get('user'), secure);
}

describe('effectiveCookieName', () => {
  const host = { secure: true, domain: undefined, path: '/' };
  it.each([
    ['session', 'auto', host, '__Host-session'],
    ['session', 'auto', { ...host, secure: false }, 'session'],
    ['session', 'auto', { ...host, domain: 'example.com' }, '__Secure-session'],
    ['session', 'auto', { ...host, path: '/app' }, '__Secure-session'],
    ['session', 'none', host, 'session'],
    ['__Host-sid', 'auto', host, '__Host-sid'],
    ['__secure-sid', 'auto', host, '__secure-sid'],
    ['__HOST-sid', 'auto', host, '__HOST-sid'],
  ] as const)('%s, prefix %s, %o → %s', (name, prefix, attributes, expected) => {
    expect(effectiveCookieName(name, prefix, attributes)).toBe(expected);
  });

  it('recognises a prefix in any letter case, as RFC 6265bis does', () => {
    expect(carriesCookiePrefix('__Host-x')).toBe(true);
    expect(carriesCookiePrefix('__host-x')).toBe(true);
    expect(carriesCookiePrefix('__SECURE-x')).toBe(true);
    expect(carriesCookiePrefix('_Host-x')).toBe(false);
    expect(carriesCookiePrefix('session')).toBe(false);
  });
});

describe('the session cookie name on a request', () => {
  it('is __Host-session over https, with Secure, Path=/ and no Domain', async () => {
    const h = kit();
    const browser = await signIn(h, 'ada', true);
    expect([...browser.cookies.keys()]).toEqual(['__Host-session']);
    const line = browser.lastSetCookie[0] ?? '';
    expect(line).toMatch(/^__Host-session=[^;]+; Path=\/;/);
    expect(line).toMatch(/; Secure/);
    expect(line).not.toMatch(/Domain=/);
    expect(await whoIs(h, browser, true)).toBe('ada');
  });

  it('is __Host-session in production even when the request looks like http', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const h = kit();
    const browser = await signIn(h, 'ada', false);
    expect([...browser.cookies.keys()]).toEqual(['__Host-session']);
    expect(await whoIs(h, browser, false)).toBe('ada');
  });

  it('stays the bare name on plain-http development, where browsers may refuse Secure cookies', async () => {
    const h = kit();
    const browser = await signIn(h, 'ada', false);
    expect([...browser.cookies.keys()]).toEqual(['session']);
    expect(browser.lastSetCookie[0]).not.toMatch(/; Secure/);
    expect(await whoIs(h, browser, false)).toBe('ada');
  });

  it('is __Secure-session with a Domain or a narrower Path, where __Host- is impossible', async () => {
    for (const cookie of [{ domain: 'example.com' }, { path: '/app' }]) {
      const browser = await signIn(kit({ cookie }), 'ada', true);
      expect([...browser.cookies.keys()]).toEqual(['__Secure-session']);
    }
  });

  it("prefix: 'none' keeps the configured name, Secure or not", async () => {
    const browser = await signIn(kit({ cookie: { prefix: 'none' } }), 'ada', true);
    expect([...browser.cookies.keys()]).toEqual(['session']);
    expect(browser.lastSetCookie[0]).toMatch(/; Secure/);
  });

  it('uses a cookieName that already carries a prefix as is', async () => {
    for (const cookieName of ['__Host-sid', '__Secure-sid']) {
      const h = kit({ cookieName });
      const browser = await signIn(h, 'ada', true);
      expect([...browser.cookies.keys()]).toEqual([cookieName]);
      expect(await whoIs(h, browser, false)).toBe('ada');
    }
  });

  it('applies to store-backed storages too: the cookie holding the token is __Host-session', async () => {
    const h = kit({ storage: memoryStorage() });
    const browser = await signIn(h, 'ada', true);
    expect([...browser.cookies.keys()]).toEqual(['__Host-session']);
    expect(await whoIs(h, browser, true)).toBe('ada');
  });

  it('keeps the exact Python cookie name for the aiohttp-session formats', async () => {
    const h = kit({ storage: fernetCookieStorage({ key: FERNET_KEY }), cookieName: 'AIOHTTP_SESSION' });
    const browser = new TestBrowser();
    await h.request(
      browser,
      async (s) => {
        s.set('user', 'ada');
        await s.save();
      },
      true,
    );
    expect([...browser.cookies.keys()]).toEqual(['AIOHTTP_SESSION']);
    expect(browser.lastSetCookie[0]).toMatch(/; Secure/);
  });

  it('derives the key from the configured name: the prefix never changes it', async () => {
    const browser = await signIn(kit(), 'ada', true);
    const value = browser.cookies.get('__Host-session') ?? '';
    const { plaintext } = await compactDecrypt(value, await deriveCookieKey(SECRET, 'session'));
    expect(JSON.parse(new TextDecoder().decode(plaintext))[0]).toEqual({ user: 'ada' });
    // So opting out later keeps the sessions readable once the browser sends the old value.
    const optedOut = kit({ cookie: { prefix: 'none' } });
    const renamed = new TestBrowser();
    renamed.cookies.set('session', value);
    expect(await whoIs(optedOut, renamed, true)).toBe('ada');
  });
});

describe('cookie tossing: a cookie planted from a sibling subdomain', () => {
  // The attacker signs in to the same app and plants their own, valid, cookie
  // in the victim's browser under every name a sibling subdomain can set.
  const planted = (value: string) => [
    ['session', value],
    ['session.0', value],
  ];

  it('cannot replace the real __Host- session on https', async () => {
    const h = kit();
    const attacker = await signIn(h, 'mallory', true);
    const value = cookieValue(attacker);
    for (const [name, plantedValue] of planted(value)) {
      const victim = await signIn(h, 'ada', true);
      victim.cookies.set(name as string, plantedValue as string);
      expect(await whoIs(h, victim, true), `planted ${name}`).toBe('ada');
      // And the kit leaves the planted cookie alone: it is not its cookie.
      expect(victim.lastWrites).toEqual([]);
    }
    expect(h.invalid).toEqual([]);
  });

  it('cannot sign a signed-out visitor in as the attacker', async () => {
    for (const storage of [encryptedCookieStorage({ secret: SECRET }), memoryStorage()]) {
      const h = kit({ storage });
      const attacker = await signIn(h, 'mallory', true);
      const value = cookieValue(attacker);
      for (const [name, plantedValue] of planted(value)) {
        const victim = new TestBrowser();
        victim.cookies.set(name as string, plantedValue as string);
        expect(await whoIs(h, victim, true), `${storage.name}: planted ${name}`).toBeUndefined();
      }
    }
  });

  it('in production too, where every request counts as Secure', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    const h = kit();
    const value = cookieValue(await signIn(h, 'mallory', false));
    const victim = await signIn(h, 'ada', false);
    victim.cookies.set('session.0', value);
    victim.cookies.set('session', value);
    expect(await whoIs(h, victim, false)).toBe('ada');
  });

  it('a __Host- cookie is not read on a plain-http request either: one name per request', async () => {
    const h = kit();
    const secure = await signIn(h, 'ada', true);
    const plain = new TestBrowser();
    plain.cookies.set('__Host-session', secure.cookies.get('__Host-session') ?? '');
    expect(await whoIs(h, plain, false)).toBeUndefined();
  });
});

describe('cookie.prefix validation', () => {
  const storage = encryptedCookieStorage({ secret: SECRET });

  it("defaults to 'auto', and to 'none' for the aiohttp-session formats", () => {
    expect(resolveKitOptions({ storage }).cookie.prefix).toBe('auto');
    const fernet = fernetCookieStorage({ key: FERNET_KEY });
    expect(resolveKitOptions({ storage: fernet, cookieName: 'AIOHTTP_SESSION' }).cookie.prefix).toBe('none');
  });

  it('refuses anything but "auto" and "none", saying what each does', () => {
    for (const prefix of ['host', 'Auto', true, null, '']) {
      const make = () => resolveKitOptions({ storage, cookie: { prefix: prefix as 'auto' } });
      expect(make).toThrow(SessionConfigError);
      expect(make).toThrow(/`cookie.prefix` must be "auto" .*or "none"/);
    }
  });

  it("refuses prefix: 'auto' for an aiohttp-session format, and says how to get __Host- there", () => {
    const make = () =>
      resolveKitOptions({
        storage: fernetCookieStorage({ key: FERNET_KEY }),
        cookieName: 'AIOHTTP_SESSION',
        cookie: { prefix: 'auto' },
      });
    expect(make).toThrow(SessionConfigError);
    expect(make).toThrow(/remove `cookie.prefix`.*__Host-AIOHTTP_SESSION/);
  });

  it('lists prefix among the valid cookie options', () => {
    expect(() => resolveKitOptions({ storage, cookie: { prefx: 'none' } as CookieOptions })).toThrow(
      /Valid options: domain, path, sameSite, secure, httpOnly, prefix\./,
    );
  });
});
