import { describe, expect } from 'vitest';
import { CookieBrowser, type KitRunner } from './kit-runner.ts';
import { casesOf, deferred, login, type Suite, setUp } from './suite-setup.ts';
import { refOf, refsOf } from './user-cases.ts';

// Each login one second after the previous one, so "oldest" is unambiguous.
async function loginAs(h: KitRunner, browser: CookieBrowser, user: string, device: string): Promise<void> {
  h.clock.advance(1);
  await login(h, browser, user, { device });
}

/** The `device` a browser's session holds; `undefined` when it has none. */
export const deviceOf = (h: KitRunner, browser: CookieBrowser): Promise<unknown> =>
  h.request(browser, (s) => (s.isNew ? undefined : s.get('device')));

// Exactly these sessions of `user` live, each still holding its device.
async function expectLive(h: KitRunner, user: string, live: CookieBrowser[], devices: string[]) {
  expect(await Promise.all(live.map((browser) => deviceOf(h, browser)))).toEqual(devices);
  const refs = await Promise.all(live.map((browser) => refOf(h, browser)));
  expect(await refsOf(h, user)).toEqual(refs.sort());
}

/**
 * `count` concurrent logins of `user`: login i is created one second after
 * login i - 1 (or all in the same millisecond), then all wait and their
 * saves are released in `order`. `one-by-one`: each save completes before
 * the next starts. `together`: all are released at once, in `order`, and
 * overlap in the store. Returns the browsers, login i's in place i.
 */
export async function concurrentLogins(
  h: KitRunner,
  user: string,
  count: number,
  order: readonly number[],
  release: 'one-by-one' | 'together',
  sameMillisecond = false,
): Promise<CookieBrowser[]> {
  const browsers = Array.from({ length: count }, () => new CookieBrowser());
  const gates = browsers.map(() => deferred());
  const done: Array<Promise<void>> = [];
  for (const [i, browser] of browsers.entries()) {
    if (!sameMillisecond) h.clock.advance(1);
    const created = deferred();
    done.push(
      h.request(browser, async (_s, { newSession }) => {
        const s = newSession(user);
        s.set('user', user);
        s.set('device', `device ${i}`);
        created.resolve();
        await gates[i]?.promise;
        await s.save();
      }),
    );
    await created.promise;
  }
  if (release === 'one-by-one') {
    for (const i of order) {
      gates[i]?.resolve();
      await done[i];
    }
  } else {
    for (const i of order) gates[i]?.resolve();
    await Promise.all(done);
  }
  return browsers;
}

/**
 * `maxSessionsPerUser` over the store: the newest sessions win, whatever
 * order concurrent logins reach the store in.
 */
export function limitCases(suite: Suite): void {
  const test = casesOf(suite);
  const limited = async (maxSessionsPerUser: number) => (await setUp(suite)).kit({}, { maxSessionsPerUser });

  describe('maxSessionsPerUser', () => {
    test('a login beyond the limit signs out the oldest device, which gets a fresh empty session', async () => {
      const h = await limited(2);
      const [laptop, phone, tablet] = [new CookieBrowser(), new CookieBrowser(), new CookieBrowser()];
      await loginAs(h, laptop, 'ada', 'laptop');
      await loginAs(h, phone, 'ada', 'phone');
      const laptopRef = await refOf(h, laptop);
      await loginAs(h, tablet, 'ada', 'tablet');
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, phone), await refOf(h, tablet)].sort());
      expect(await refsOf(h, 'ada')).not.toContain(laptopRef);
      expect(await deviceOf(h, phone)).toBe('phone');
      expect(await deviceOf(h, tablet)).toBe('tablet');
      // Like a logout: the record is gone, the old cookie opens nothing.
      expect(h.invalid).toEqual([]);
      await h.request(laptop, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.data).toEqual({});
        expect(s.userId).toBeUndefined();
      });
      expect(h.invalid).toEqual(['expired']);
      expect(await refsOf(h, 'ada')).toHaveLength(2);
    });

    test('counts only live sessions: a device that logged out does not push an older one out', async () => {
      const h = await limited(2);
      const [laptop, phone, tablet] = [new CookieBrowser(), new CookieBrowser(), new CookieBrowser()];
      await loginAs(h, laptop, 'ada', 'laptop');
      await loginAs(h, phone, 'ada', 'phone');
      await h.request(phone, async (s) => {
        s.invalidate();
        await s.save();
      });
      await loginAs(h, tablet, 'ada', 'tablet');
      await expectLive(h, 'ada', [laptop, tablet], ['laptop', 'tablet']);
    });

    test('logging in again on one device replaces its own session and keeps the other devices', async () => {
      const h = await limited(2);
      const [laptop, phone] = [new CookieBrowser(), new CookieBrowser()];
      await loginAs(h, phone, 'ada', 'phone');
      await loginAs(h, laptop, 'ada', 'laptop');
      await loginAs(h, laptop, 'ada', 'laptop again');
      await expectLive(h, 'ada', [phone, laptop], ['phone', 'laptop again']);
    });

    test('two logins at the same moment never sign each other out', async () => {
      const h = await limited(1);
      for (let round = 0; round < 5; round++) {
        const [old, a, b] = [new CookieBrowser(), new CookieBrowser(), new CookieBrowser()];
        await loginAs(h, old, `racer${round}`, 'old');
        await Promise.all([loginAs(h, a, `racer${round}`, 'a'), loginAs(h, b, `racer${round}`, 'b')]);
        expect(await deviceOf(h, old)).toBeUndefined();
        const alive = [await deviceOf(h, a), await deviceOf(h, b)].filter((d) => d !== undefined);
        expect(alive.length).toBeGreaterThanOrEqual(1);
      }
    });

    test('with a limit of 1 only the newest login lives; other users are untouched', async () => {
      const h = await limited(1);
      const [first, second, third, bob] = [1, 2, 3, 4].map(() => new CookieBrowser()) as CookieBrowser[];
      await loginAs(h, bob as CookieBrowser, 'bob', 'bob');
      for (const [browser, device] of [
        [first, 'first'],
        [second, 'second'],
        [third, 'third'],
      ] as const) {
        await loginAs(h, browser as CookieBrowser, 'ada', device);
      }
      expect(await deviceOf(h, first as CookieBrowser)).toBeUndefined();
      expect(await deviceOf(h, second as CookieBrowser)).toBeUndefined();
      expect(await deviceOf(h, third as CookieBrowser)).toBe('third');
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, third as CookieBrowser)]);
      expect(await deviceOf(h, bob as CookieBrowser)).toBe('bob');
    });

    test('five concurrent logins saved newest first leave one session with a limit of 1', async () => {
      const h = await limited(1);
      const bob = new CookieBrowser();
      await loginAs(h, bob, 'bob', 'bob');
      const browsers = await concurrentLogins(h, 'ada', 5, [4, 3, 2, 1, 0], 'one-by-one');
      expect(await deviceOf(h, browsers[4] as CookieBrowser)).toBe('device 4');
      for (const browser of browsers.slice(0, 4)) {
        // Ended by its own login, like a session revoked meanwhile: no
        // cookie was set, so nothing dead lingers in the browser.
        expect(browser.cookies.get('session')).toBeUndefined();
        expect(await deviceOf(h, browser)).toBeUndefined();
      }
      expect(h.invalid).toEqual(['expired', 'expired', 'expired', 'expired']);
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, browsers[4] as CookieBrowser)]);
      expect(await deviceOf(h, bob)).toBe('bob');
    });
  });
}
