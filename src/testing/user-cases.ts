import { describe, expect } from 'vitest';
import { CookieBrowser, type KitRunner } from './kit-runner.ts';
import { casesOf, cookieOf, login, type Suite, setUp } from './suite-setup.ts';

/** The references `listUserSessions()` gives for a user, sorted. */
export async function refsOf(h: KitRunner, userId: string): Promise<string[]> {
  return ((await h.engine.storage.users?.list(userId)) ?? []).map((s) => s.ref).sort();
}

/** The reference `listUserSessions()` gives for a browser's session. */
export async function refOf(h: KitRunner, browser: CookieBrowser): Promise<string> {
  return (await h.engine.storage.users?.refOf(cookieOf(browser))) as string;
}

/**
 * A user's sessions: listed, signed out everywhere else, and everywhere.
 */
export function userCases(suite: Suite): void {
  const test = casesOf(suite);

  describe('a user’s sessions', () => {
    test('lists a user’s sessions and signs out everywhere else, then everywhere', async () => {
      const h = (await setUp(suite)).kit();
      const [laptop, phone, tablet] = [new CookieBrowser(), new CookieBrowser(), new CookieBrowser()];
      await login(h, laptop, 'ada');
      await login(h, phone, 'ada');
      await login(h, tablet, 'bob');
      const { users } = h.engine.storage;
      const sessions = (await users?.list('ada')) ?? [];
      expect(sessions.length).toBe(2);
      for (const info of sessions) {
        expect(info.ref).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(info.ref).not.toBe(cookieOf(laptop));
        expect(info.expiresAt).toBeGreaterThan(info.createdAt);
      }
      const laptopRef = await refOf(h, laptop);
      expect(sessions.map((s) => s.ref)).toContain(laptopRef);
      expect(await users?.destroy('ada', [laptopRef])).toBe(1);
      await h.request(laptop, (s) => expect(s.get('user')).toBe('ada'));
      await h.request(phone, (s) => expect(s.isNew).toBe(true));
      await h.request(tablet, (s) => expect(s.get('user')).toBe('bob'));
      expect((await users?.list('ada'))?.length).toBe(1);
      expect(await users?.destroy('ada', [])).toBe(1);
      await h.request(laptop, (s) => expect(s.isNew).toBe(true));
      expect(await users?.list('ada')).toEqual([]);
    });

    test('lists most recently active first, with activity, creation and expiry times', async () => {
      const h = (await setUp(suite)).kit({ maxAge: 86_400, idleTimeout: 3600 }, { touchAfter: 0 });
      const [first, second] = [new CookieBrowser(), new CookieBrowser()];
      await login(h, first, 'ada');
      const createdAt = h.clock.now();
      h.clock.advance(10);
      await login(h, second, 'ada');
      h.clock.advance(10);
      await h.request(first, (s) => expect(s.get('user')).toBe('ada')); // refreshes its activity
      const sessions = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(sessions.map((s) => s.ref)).toEqual([await refOf(h, first), await refOf(h, second)]);
      expect(sessions[0]).toMatchObject({
        createdAt,
        lastSeen: h.clock.now(),
        expiresAt: h.clock.now() + 3_600_000,
      });
    });

    test('a logged-out or ended session is never listed or counted', async () => {
      const h = (await setUp(suite)).kit();
      const [kept, ended] = [new CookieBrowser(), new CookieBrowser()];
      await login(h, kept, 'ada');
      await login(h, ended, 'ada');
      await h.request(ended, async (s) => {
        s.invalidate();
        await s.save();
      });
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, kept)]);
      expect(await h.engine.storage.users?.destroy('ada', [])).toBe(1);
      expect(await refsOf(h, 'ada')).toEqual([]);
    });
  });
}
