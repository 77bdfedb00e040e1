// Cookie name prefixes (RFC 6265bis §4.1.3): browsers match them
// case-insensitively, so "__host-session" gets the "__Host-" rules.
import { describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../errors.ts';
import { resolveKitOptions, type SessionKitOptions } from '../options.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Harness } from '../test-utils/harness.ts';
import { cookiePrefix } from './prefix.ts';

const storage = encryptedCookieStorage({ secret: 'prefix-test-secret-that-is-long-enough-01' });

describe('cookiePrefix', () => {
  it.each([
    ['__Host-session', '__Host-'],
    ['__host-session', '__Host-'],
    ['__HOST-session', '__Host-'],
    ['__hOsT-session', '__Host-'],
    ['__Secure-session', '__Secure-'],
    ['__secure-session', '__Secure-'],
    ['__SECURE-session', '__Secure-'],
    ['__Http-session', '__Http-'],
    ['__http-session', '__Http-'],
    ['__Host-Http-session', '__Host-Http-'],
    ['__host-http-session', '__Host-Http-'],
    ['session', undefined],
    ['_Host-session', undefined],
    ['__Hostsession', undefined],
    ['x__Host-session', undefined],
    ['__Secur-session', undefined],
  ])('%s → %s', (name, prefix) => {
    expect(cookiePrefix(name)).toBe(prefix);
  });
});

describe('prefix rules, whatever the case of the name', () => {
  const refuse = (options: Omit<SessionKitOptions, 'storage'>, message: RegExp) => {
    const attempt = () => resolveKitOptions({ storage, ...options });
    expect(attempt).toThrow(SessionConfigError);
    expect(attempt).toThrow(message);
  };

  it.each(['__Host-s', '__host-s', '__HOST-s', '__Host-Http-s', '__host-http-s'])(
    '%s: no Domain, Path=/, Secure',
    (cookieName) => {
      refuse({ cookieName, cookie: { domain: 'example.com' } }, /"__Host-.*must not have a Domain/);
      refuse({ cookieName, cookie: { path: '/app' } }, /"__Host-.*must have Path=\//);
      refuse({ cookieName, cookie: { secure: false } }, /"__Host-.*must be Secure/);
      expect(resolveKitOptions({ storage, cookieName }).cookieName).toBe(cookieName);
    },
  );

  it.each(['__Secure-s', '__secure-s', '__SeCuRe-s'])('%s: Secure', (cookieName) => {
    refuse({ cookieName, cookie: { secure: false } }, /"__Secure-".*must be Secure/);
    const resolved = resolveKitOptions({
      storage,
      cookieName,
      cookie: { domain: 'example.com', path: '/a' },
    });
    expect(resolved.cookie.domain).toBe('example.com');
  });

  it.each(['__Http-s', '__http-s', '__Host-Http-s', '__HOST-HTTP-s'])(
    '%s: HttpOnly and Secure',
    (cookieName) => {
      refuse({ cookieName, cookie: { httpOnly: false } }, /Http-".*must be HttpOnly/);
      refuse({ cookieName, cookie: { secure: false } }, /must be Secure/);
    },
  );

  it('says that browsers read the prefix case-insensitively', () => {
    refuse(
      { cookieName: '__host-s', cookie: { domain: 'example.com' } },
      /"__host-", which is the "__Host-" prefix to browsers/,
    );
  });

  it.each(['__host-sid', '__secure-sid', '__http-sid'])(
    "%s with secure: 'auto' is Secure even on plain-http development",
    async (cookieName) => {
      vi.stubEnv('NODE_ENV', 'development');
      try {
        const h = new Harness<{ user?: string }>({ storage, cookieName });
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        expect(browser.lastSetCookie[0]).toMatch(new RegExp(`^${cookieName}=`));
        expect(browser.lastSetCookie[0]).toMatch(/; Secure/);
      } finally {
        vi.unstubAllEnvs();
      }
    },
  );
});
