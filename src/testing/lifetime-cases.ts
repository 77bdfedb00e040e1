import { describe, expect } from 'vitest';
import type { IdleTouch, SessionChange, StoredSession } from '../storage/store/adapter.ts';
import { CookieBrowser } from './kit-runner.ts';
import { recording } from './recording.ts';
import { casesOf, cookieOf, login, type Suite, setUp, withBrowser } from './suite-setup.ts';

const DAY = 86_400;

/**
 * A session's life through the kit: login rotation, logout, the absolute
 * lifetime, clocks that disagree, and keys that try to reach prototypes.
 */
export function lifetimeCases(suite: Suite): void {
  const test = casesOf(suite);

  describe('a session’s life', () => {
    test('login rotates the identity and deletes the previous session; logout deletes it too', async () => {
      const { h, browser } = await withBrowser(suite);
      const anonymous = await h.request(browser, async (s) => {
        s.set('count', 7);
        await s.save();
        return { id: s.id, cookie: '' };
      });
      anonymous.cookie = cookieOf(browser);
      const signedIn = { id: await login(h, browser, 'ada'), cookie: cookieOf(browser) };
      expect(signedIn.id).not.toBe(anonymous.id);
      expect(signedIn.cookie).not.toBe(anonymous.cookie);
      const loaded = await h.request(browser, (s) => ({ id: s.id, userId: s.userId, data: { ...s.data } }));
      expect(loaded).toEqual({ id: signedIn.id, userId: 'ada', data: { user: 'ada' } });
      await h.request(browser, async (s) => {
        s.invalidate();
        await s.save();
      });
      expect(browser.cookies.size).toBe(0);
      // Replays of the cookie from before the login, and of the logged-out one.
      for (const { cookie } of [anonymous, signedIn]) {
        const replay = new CookieBrowser();
        replay.cookies.set('session', cookie);
        expect(await h.request(replay, (s) => s.isNew)).toBe(true);
      }
    });

    test('ends a session at its absolute maxAge, however active it stays', async () => {
      const setup = await setUp(suite);
      const recorded = recording(setup.adapter);
      const h = setup.kit({ maxAge: 3600, idleTimeout: 600 }, { touchAfter: 0 }, recorded.adapter);
      const browser = new CookieBrowser();
      await login(h, browser, 'ada');
      const end = h.clock.now() + 3_600_000;
      for (let elapsed = 500; elapsed < 3600; elapsed += 500) {
        h.clock.advance(500); // active every 500 s: the idle timeout never runs out
        expect(await h.request(browser, (s) => s.get('user'))).toBe('ada');
      }
      // Each refresh slid `until`, never past the absolute end.
      if (setup.adapter.capabilities?.touchOnGet === true) {
        // In the load's round trip: the adapter computes `until` with `untilFor()`, capped at the end.
        const touches = recorded.calls.filter((c) => c.method === 'get' && c.args.length === 2);
        const session = (await setup.adapter.get(touches[0]?.args[0] as string)) as StoredSession;
        const untils = touches.map((c) => (c.args[1] as IdleTouch).untilFor(session));
        expect(untils).toHaveLength(7);
        expect(Math.max(...untils)).toBe(end);
        expect(recorded.calls.filter((c) => c.method === 'update')).toEqual([]);
      } else {
        const untils = recorded.calls
          .filter((c) => c.method === 'update')
          .map((c) => (c.args[1] as SessionChange).until);
        expect(untils).toHaveLength(7);
        expect(Math.max(...untils)).toBe(end);
      }
      h.clock.advance(110);
      expect(await h.request(browser, (s) => s.isNew)).toBe(true);
      expect(h.invalid).toEqual(['expired']);
    });

    test('a session’s own maxAge, longer than the kit’s, lives on through refreshes done by loads alone', async () => {
      const setup = await setUp(suite);
      const recorded = recording(setup.adapter);
      const h = setup.kit({ maxAge: 3 * DAY, idleTimeout: DAY }, {}, recorded.adapter);
      const browser = new CookieBrowser();
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { maxAge: 10 * DAY }); // remember me
        s.set('user', 'ada');
        await s.save();
      });
      // Read twice a day for 9.5 days: each load refreshes the idle expiry,
      // capped at the session's own end (10 days), not the kit's (3 days).
      for (let i = 0; i < 19; i++) {
        h.clock.advance(DAY / 2);
        expect(await h.request(browser, (s) => s.get('user'))).toBe('ada');
      }
      if (setup.adapter.capabilities?.touchOnGet === true) {
        expect(recorded.calls.filter((c) => c.method === 'update')).toEqual([]);
      }
      h.clock.advance(DAY / 2 + 60);
      expect(await h.request(browser, (s) => s.isNew)).toBe(true);
      expect(h.invalid).toEqual(['expired']);
    });

    test('refuses a session created, or last active, more than 60 s in the future', async () => {
      // Servers whose clocks disagree, sharing the store: one clock, moved.
      const setup = await setUp(suite);
      const writer = setup.kit({ maxAge: 86_400, idleTimeout: 3600 });
      const reader = setup.kit({ maxAge: 86_400, idleTimeout: 3600 });
      const { clock } = setup;
      const now = clock.now();
      const at = async (ms: number, fn: () => Promise<unknown>) => {
        clock.ms = ms;
        await fn();
        clock.ms = now;
      };
      // Created by a server whose clock is ten years ahead (a forged or skewed record).
      const created = new CookieBrowser();
      await at(now + 10 * 365 * 86_400_000, () => login(writer, created, 'mallory'));
      await reader.request(created, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.userId).toBeUndefined();
      });
      // Created now, last active an hour from now: the idle timeout would start late.
      const active = new CookieBrowser();
      await login(writer, active, 'eve');
      await at(now + 3_600_000, () =>
        writer.request(active, async (s) => {
          s.set('count', 1);
          await s.save();
        }),
      );
      await reader.request(active, (s) => expect(s.isNew).toBe(true));
      // Within the allowed clock skew: loads as usual.
      const skewed = new CookieBrowser();
      await at(now + 30_000, () => login(writer, skewed, 'ada'));
      await reader.request(skewed, (s) => expect(s.get('user')).toBe('ada'));
      expect(reader.invalid).toEqual(['future', 'future']);
    });

    test('keeps "__proto__" as plain data, in a first write and in a merge', async () => {
      const { h, browser } = await withBrowser(suite);
      await h.request(browser, async (s) => {
        s.set('__proto__', { v: 1 });
        s.set('other', 1);
        await s.save();
      });
      await h.request(browser, async (s) => {
        expect(s.get('__proto__')).toEqual({ v: 1 });
        s.set('__proto__', { v: 2 });
        await s.save();
      });
      await h.request(browser, async (s) => {
        expect(s.get('__proto__')).toEqual({ v: 2 });
        expect(s.get('other')).toBe(1);
        expect(({} as { v?: number }).v).toBeUndefined();
        s.delete('__proto__');
        await s.save();
      });
      await h.request(browser, (s) => expect(s.data).toEqual({ other: 1 }));
    });
  });
}
