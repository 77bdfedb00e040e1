import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLifetime } from '../lifetime.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Harness } from '../test-utils/harness.ts';
import { simpleCookieStorage } from './simple-cookie.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('simpleCookieStorage', () => {
  it('round-trips plain JSON the browser can read', async () => {
    const h = new Harness<{ user?: string }>({ storage: simpleCookieStorage() });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const value = browser.cookies.get('session') ?? '';
    expect(Buffer.from(value, 'base64url').toString('utf8')).toMatch(/^\[\{"user":"ada"\},"/);
    await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
  });

  it('turns garbage into a fresh session, never a throw', async () => {
    const h = new Harness<{ user?: string }>({ storage: simpleCookieStorage() });
    for (const bad of [
      '%%%',
      'e30',
      Buffer.from('[{},"x"]').toString('base64url'),
      '/w',
      'x'.repeat(20_000),
    ]) {
      const browser = new TestBrowser();
      browser.cookies.set('session', bad);
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
    }
    expect(h.invalid).toEqual(Array(5).fill('invalid'));
  });

  it('warns once when NODE_ENV=production', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const ctx = { cookieName: 'session', lifetime: createLifetime(60, undefined), now: Date.now };
    simpleCookieStorage().create(ctx);
    simpleCookieStorage().create(ctx);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/plain, unsigned/);
  });
});
