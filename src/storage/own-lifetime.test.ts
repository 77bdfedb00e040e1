// newSession({ persistent: false, maxAge }) on every storage that records
// it: a browser-session cookie the server still expires, and a lifetime of
// its own, both kept across saves, idle refreshes and re-issued cookies.
import { describe, expect, it } from 'vitest';
import { SessionConfigError, SessionUnsupportedError } from '../errors.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { allTargets } from '../test-utils/targets.ts';
import { fernetCookieStorage } from './aiohttp/fernet-cookie.ts';

type Data = { user?: string; count?: number };
const DAY = 86_400;
const sessionWrites = (browser: TestBrowser) => browser.lastWrites.filter((w) => w.options.maxAge !== 0);

for (const target of allTargets()) {
  describe(`own lifetime: ${target.name}`, () => {
    const harness = (options: { maxAge?: number; idleTimeout?: number }) =>
      new Harness<Data>({ storage: target.make({}).storage, ...options }, new Clock(Date.now()));

    it('persistent: false writes a cookie without Max-Age or Expires, and keeps it so on every write', async () => {
      const h = harness({ maxAge: 14 * DAY, idleTimeout: DAY });
      const browser = new TestBrowser();
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { persistent: false });
        s.set('user', 'ada');
        await s.save();
      });
      const first = sessionWrites(browser);
      expect(first.length).toBeGreaterThan(0);
      for (const write of first) {
        expect(write.options.maxAge).toBeUndefined();
        expect(write.options.expires).toBeUndefined();
      }
      const live = browser.lastSetCookie.filter((line) => !line.includes('Max-Age=0'));
      expect(live.length).toBeGreaterThan(0);
      for (const line of live) expect(line).not.toMatch(/Max-Age|Expires/i);
      // Saves and idle slides (a re-issued cookie for cookie storages, a TTL
      // refresh for stores) keep it a browser-session cookie.
      for (let i = 0; i < 3; i++) {
        h.clock.advance(DAY / 2);
        await h.request(browser, async (s) => {
          expect(s.get('user')).toBe('ada');
          s.set('count', i);
          await s.save();
        });
        for (const write of sessionWrites(browser)) expect(write.options.maxAge).toBeUndefined();
      }
      expect(h.invalid).toEqual([]);
    });

    it('persistent: false still ends on the server at idleTimeout', async () => {
      const h = harness({ maxAge: 14 * DAY, idleTimeout: DAY });
      const browser = new TestBrowser();
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { persistent: false });
        s.set('user', 'ada');
        await s.save();
      });
      h.clock.advance(DAY + 60);
      await h.request(browser, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.get('user')).toBeUndefined();
      });
    });

    it('persistent: false still ends on the server at maxAge, even when kept active', async () => {
      const h = harness({ maxAge: 3 * DAY, idleTimeout: DAY });
      const browser = new TestBrowser();
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { persistent: false });
        s.set('user', 'ada');
        await s.save();
      });
      for (let i = 0; i < 7; i++) {
        h.clock.advance(DAY / 2);
        await h.request(browser, async (s) => {
          if (i < 5) expect(s.get('user')).toBe('ada');
          s.touch();
          await s.save();
        });
      }
      await h.request(browser, (s) => expect(s.get('user')).toBeUndefined());
    });

    it("maxAge gives one session a longer lifetime than the kit's, kept across saves", async () => {
      const h = harness({ maxAge: DAY });
      const browser = new TestBrowser();
      const id = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { maxAge: 30 * DAY });
        s.set('user', 'ada');
        await s.save();
        expect(s.expiresAt).toBe(s.createdAt + 30 * DAY * 1000);
        return s.id;
      });
      const cookieMaxAge = sessionWrites(browser)[0]?.options.maxAge ?? 0;
      expect(cookieMaxAge).toBeGreaterThan(29 * DAY);
      h.clock.advance(10 * DAY);
      await h.request(browser, async (s) => {
        expect(s.id).toBe(id);
        s.set('count', 1);
        await s.save();
      });
      h.clock.advance(19 * DAY);
      await h.request(browser, (s) => expect(s.get('count')).toBe(1));
      h.clock.advance(DAY + 60);
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
      expect(h.invalid).toContain('expired');
    });

    it("maxAge gives one session a shorter lifetime than the kit's, not extended by activity", async () => {
      const h = harness({ maxAge: 30 * DAY, idleTimeout: 2 * DAY });
      const browser = new TestBrowser();
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { maxAge: 3 * DAY });
        s.set('user', 'ada');
        await s.save();
      });
      for (let i = 0; i < 5; i++) {
        h.clock.advance(DAY / 2);
        await h.request(browser, async (s) => {
          s.touch();
          await s.save();
        });
      }
      h.clock.advance(DAY / 2 + 60);
      await h.request(browser, (s) => expect(s.get('user')).toBeUndefined());
    });
  });
}

describe('own lifetime: validation and unsupported formats', () => {
  const storage = allTargets()[0]?.make({}).storage;
  it('refuses values the kit cannot honour, at newSession()', async () => {
    if (storage === undefined) throw new Error('no target');
    const h = new Harness<Data>({ storage });
    const browser = new TestBrowser();
    await h.request(browser, (_s, { newSession }) => {
      expect(() => newSession('ada', { maxAge: 0 })).toThrow(SessionConfigError);
      expect(() => newSession('ada', { maxAge: 401 * DAY })).toThrow(SessionConfigError);
      expect(() => newSession('ada', { maxAge: 1.5 })).toThrow(SessionConfigError);
      expect(() => newSession('ada', { persistent: 'no' as unknown as boolean })).toThrow(SessionConfigError);
    });
  });

  it('the aiohttp formats refuse a lifetime they cannot record', async () => {
    const h = new Harness<Data>({
      storage: fernetCookieStorage({ key: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=' }),
      cookieName: 'AIOHTTP_SESSION',
      cookie: { prefix: 'none' },
    });
    const browser = new TestBrowser();
    await h.request(browser, (_s, { newSession }) => {
      expect(() => newSession('ada', { persistent: false })).toThrow(SessionUnsupportedError);
    });
  });
});
