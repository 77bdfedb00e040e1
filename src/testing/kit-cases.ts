import { describe, expect } from 'vitest';
import type { IdleTouch, SessionChange } from '../storage/store/adapter.ts';
import { createToken, sha256Base64url } from '../storage/store/token.ts';
import { CookieBrowser } from './kit-runner.ts';
import { recording } from './recording.ts';
import { casesOf, cookieOf, type Suite, setUp, withBrowser } from './suite-setup.ts';

/**
 * The store through the kit, as an app uses it: persistence, tokens, what
 * the store is asked to keep and for how long, idle refresh, flash, corrupt
 * records.
 */
export function kitCases(suite: Suite): void {
  const test = casesOf(suite);

  describe('through the kit', () => {
    test('persists data and id across requests; writes nothing when nothing changed', async () => {
      const { h, browser } = await withBrowser(suite);
      await h.request(browser, (s) => s.save());
      expect(browser.lastWrites).toEqual([]);
      const id = await h.request(browser, async (s) => {
        s.set('count', 1);
        s.set('user', 'ada ✓ 😀');
        await s.save();
        return s.id;
      });
      await h.request(browser, async (s) => {
        expect(s.isNew).toBe(false);
        expect(s.id).toBe(id);
        expect(s.data).toEqual({ count: 1, user: 'ada ✓ 😀' });
        await s.save();
      });
      expect(browser.lastWrites).toEqual([]);
      expect(h.invalid).toEqual([]);
    });

    test('keeps only an opaque 256-bit token in the cookie and re-sends no cookie on data changes', async () => {
      const { h, browser } = await withBrowser(suite);
      await h.request(browser, async (s) => {
        s.set('user', 'ada');
        await s.save();
      });
      expect(cookieOf(browser)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      await h.request(browser, async (s) => {
        s.set('count', 2);
        await s.save();
      });
      expect(browser.lastWrites).toEqual([]); // same token, same absolute expiry
      await h.request(browser, (s) => expect(s.data).toEqual({ user: 'ada', count: 2 }));
    });

    test('the store sees SHA-256(token), never the token; `until` is the remaining lifetime', async () => {
      const setup = await setUp(suite);
      const recorded = recording(setup.adapter);
      const h = setup.kit({ maxAge: 3600, idleTimeout: 600 }, {}, recorded.adapter);
      const browser = new CookieBrowser();
      await h.request(browser, async (s) => {
        s.set('user', 'ada');
        await s.save();
      });
      const token = cookieOf(browser);
      const [create] = recorded.calls;
      expect(create?.method).toBe('create');
      expect(create?.args[0]).toBe(await sha256Base64url(token));
      const now = setup.clock.now();
      expect(create?.args[2]).toEqual({ until: now + 600_000, expiresAt: now + 3_600_000, replaces: [] });
      expect(JSON.stringify(recorded.calls)).not.toContain(token);
      // The cookie lives until the absolute expiry; the store enforces idleness.
      expect(browser.lastWrites[0]?.options.maxAge).toBe(3600 - 60);
    });

    test('slides the idle timeout through update(), throttled by touchAfter, without rewriting data', async () => {
      const setup = await setUp(suite);
      const recorded = recording(setup.adapter);
      const h = setup.kit({ maxAge: 3600, idleTimeout: 100 }, { touchAfter: 10 }, recorded.adapter);
      const browser = new CookieBrowser();
      await h.request(browser, async (s) => {
        s.set('count', 1);
        await s.save();
      });
      const updates = () => recorded.calls.filter((call) => call.method === 'update');
      const loggedIn = h.clock.now();
      h.clock.advance(5); // before touchAfter: nothing written
      await h.request(browser, (s) => expect(s.get('count')).toBe(1));
      expect(updates()).toEqual([]);
      const key = recorded.calls.find((call) => call.method === 'get')?.args[0] as string;
      expect((await setup.adapter.get(key))?.lastActiveAt, 'not due: not refreshed').toBe(loggedIn);
      for (let i = 0; i < 3; i++) {
        h.clock.advance(60); // idle 60 s each time: still alive because each read refreshes
        await h.request(browser, (s) => expect(s.get('count')).toBe(1));
      }
      expect(browser.lastWrites).toEqual([]); // refreshes never rewrite the cookie
      if (setup.adapter.capabilities?.touchOnGet === true) {
        // The refresh rides on each load: get() is told the times, update() is never called.
        expect(updates()).toEqual([]);
        const touches = recorded.calls.filter((call) => call.method === 'get' && call.args.length === 2);
        const last = touches[touches.length - 1]?.args[1] as IdleTouch;
        expect(last).toMatchObject({
          lastActiveAt: h.clock.now(),
          dueBy: h.clock.now() - 10_000,
          aliveSince: h.clock.now() - 105_000,
          idleUntil: h.clock.now() + 100_000,
          maxAge: 3_600_000,
        });
      } else {
        expect(updates()).toHaveLength(3);
        const last = updates()[2]?.args[1] as SessionChange;
        expect(last).toMatchObject({ replace: false, set: {}, unset: [], flash: {} });
        expect(last.lastActiveAt).toBe(h.clock.now());
        expect(last.until).toBe(h.clock.now() + 100_000);
      }
      h.clock.advance(110);
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
      expect(h.invalid).toEqual(['expired']);
    });

    test('refuses malformed tokens before the store and unknown ones at it; a client cannot choose its id', async () => {
      const setup = await setUp(suite);
      const recorded = recording(setup.adapter);
      const h = setup.kit({}, {}, recorded.adapter);
      const browser = new CookieBrowser();
      for (const bad of [
        '../../etc/passwd',
        'x'.repeat(43),
        `${createToken()}=`,
        '*',
        createToken().slice(1),
      ]) {
        browser.cookies.set('session', bad);
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
      }
      expect(recorded.calls).toEqual([]);
      const chosen = createToken(); // well-formed, never issued
      browser.cookies.set('session', chosen);
      const id = await h.request(browser, async (s) => {
        expect(s.isNew).toBe(true);
        s.set('user', 'mallory');
        await s.save();
        return s.id;
      });
      expect(cookieOf(browser)).not.toBe(chosen);
      await h.request(browser, (s) => expect(s.id).toBe(id));
      expect(h.invalid).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'expired']);
    });
  });
}
