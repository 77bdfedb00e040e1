// maxSessionsPerUser, against every store the kit ships (real Redis, Redis
// Cluster, Vercel KV client via the REST bridge, Memcached).
import { describe, expect, it } from 'vitest';
import { redisStorage } from '../entries/redis.ts';
import { SessionConfigError } from '../errors.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { allTargets, type Target } from '../test-utils/targets.ts';

type Data = { user?: string; device?: string };

function kit(target: Target, maxSessionsPerUser: number) {
  const { storage } = target.make({ maxSessionsPerUser });
  return new Harness<Data>({ storage }, new Clock(Date.now()));
}

// Each login one second after the previous one, so "oldest" is unambiguous.
async function login(h: Harness<Data>, browser: TestBrowser, user: string, device: string): Promise<string> {
  h.clock.advance(1);
  return h.request(browser, async (_s, { newSession }) => {
    const s = newSession(user);
    s.set('user', user);
    s.set('device', device);
    await s.save();
    return s.id;
  });
}

async function deviceOf(h: Harness<Data>, browser: TestBrowser): Promise<string | undefined> {
  return h.request(browser, (s) => (s.isNew ? undefined : s.get('device')));
}

// Well over a thousand requests per store, alongside the rest of the suite.
const PERMUTATIONS_TIMEOUT = 120_000;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((rest) =>
    Array.from({ length: n }, (_, at) => [...rest.slice(0, at), n - 1, ...rest.slice(at)]),
  );
}

/**
 * `count` concurrent logins of `user`: login i is created one second after
 * login i - 1 (the harness clock, so creation order is exact), then all wait
 * and their saves are released in `order`. `one-by-one`: each save completes
 * before the next starts, so the saves land exactly in `order`. `together`:
 * all are released at once, in `order`, and overlap in the store.
 * Returns the browsers, login i's in place i, after every save settled.
 */
async function concurrentLogins(
  h: Harness<Data>,
  user: string,
  count: number,
  order: readonly number[],
  release: 'one-by-one' | 'together',
  sameMillisecond = false,
): Promise<TestBrowser[]> {
  const browsers = Array.from({ length: count }, () => new TestBrowser());
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

const refsOf = async (h: Harness<Data>, userId: string) =>
  ((await h.engine.backend.listUserSessions?.(userId)) ?? []).map((s) => s.handle).sort();
const refOf = async (h: Harness<Data>, browser: TestBrowser) =>
  (await h.engine.backend.refOf?.(browser.cookies.get('session') ?? '')) as string;

for (const target of allTargets().filter((t) => t.kind === 'store')) {
  describe(`maxSessionsPerUser: ${target.name}`, () => {
    it('a login beyond the limit signs out the oldest device, which gets a fresh empty session', async () => {
      const h = kit(target, 2);
      const [laptop, phone, tablet] = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
      await login(h, laptop, 'ada', 'laptop');
      await login(h, phone, 'ada', 'phone');
      const laptopRef = await refOf(h, laptop);
      await login(h, tablet, 'ada', 'tablet');
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

    it('counts only live sessions: a device that logged out does not push an older one out', async () => {
      const h = kit(target, 2);
      const [laptop, phone, tablet] = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
      await login(h, laptop, 'ada', 'laptop');
      await login(h, phone, 'ada', 'phone');
      await h.request(phone, async (s) => {
        s.invalidate();
        await s.save();
      });
      await login(h, tablet, 'ada', 'tablet');
      expect(await deviceOf(h, laptop)).toBe('laptop');
      expect(await deviceOf(h, tablet)).toBe('tablet');
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, laptop), await refOf(h, tablet)].sort());
    });

    it('logging in again on one device replaces its own session and keeps the other devices', async () => {
      const h = kit(target, 2);
      const [laptop, phone] = [new TestBrowser(), new TestBrowser()];
      await login(h, phone, 'ada', 'phone');
      await login(h, laptop, 'ada', 'laptop');
      await login(h, laptop, 'ada', 'laptop again');
      expect(await deviceOf(h, phone)).toBe('phone');
      expect(await deviceOf(h, laptop)).toBe('laptop again');
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, laptop), await refOf(h, phone)].sort());
    });

    it('two logins at the same moment never sign each other out', async () => {
      const h = kit(target, 1);
      for (let round = 0; round < 5; round++) {
        const [old, a, b] = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
        await login(h, old, `racer${round}`, 'old');
        await Promise.all([login(h, a, `racer${round}`, 'a'), login(h, b, `racer${round}`, 'b')]);
        expect(await deviceOf(h, old)).toBeUndefined();
        const alive = [await deviceOf(h, a), await deviceOf(h, b)].filter((d) => d !== undefined);
        expect(alive.length).toBeGreaterThanOrEqual(1);
      }
    });

    it('five concurrent logins saved newest first leave one session with a limit of 1', async () => {
      const h = kit(target, 1);
      const bob = new TestBrowser();
      await login(h, bob, 'bob', 'bob');
      const browsers = await concurrentLogins(h, 'ada', 5, [4, 3, 2, 1, 0], 'one-by-one');
      expect(await deviceOf(h, browsers[4] as TestBrowser)).toBe('device 4');
      for (const browser of browsers.slice(0, 4)) {
        // Ended by its own login, like a session revoked meanwhile: no
        // cookie was set, so nothing dead lingers in the browser.
        expect(browser.cookies.get('session')).toBeUndefined();
        expect(await deviceOf(h, browser)).toBeUndefined();
      }
      expect(h.invalid).toEqual(['expired', 'expired', 'expired', 'expired']);
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, browsers[4] as TestBrowser)]);
      expect(await deviceOf(h, bob)).toBe('bob');
    });

    it(
      'concurrent logins saved in any order leave exactly the newest `limit` sessions',
      async () => {
        const clock = new Clock(Date.now());
        let run = 0;
        for (const count of [3, 4]) {
          for (const limit of [1, 2]) {
            for (const order of permutations(count)) {
              for (const release of ['one-by-one', 'together'] as const) {
                const user = `perm${run++}`;
                const { storage } = target.make({ maxSessionsPerUser: limit });
                const hl = new Harness<Data>({ storage }, clock);
                const browsers = await concurrentLogins(hl, user, count, order, release);
                const what = `${count} logins, limit ${limit}, saved ${release} in order ${order.join(',')}`;
                const devices = await Promise.all(browsers.map((b) => deviceOf(hl, b)));
                const newest = browsers.map((_, i) => (i >= count - limit ? `device ${i}` : undefined));
                expect(devices, what).toEqual(newest);
                const winners = await Promise.all(browsers.slice(count - limit).map((b) => refOf(hl, b)));
                expect(await refsOf(hl, user), what).toEqual(winners.sort());
                if (release === 'one-by-one') {
                  // A login sets a cookie exactly when fewer than `limit` newer
                  // logins were saved before it.
                  order.forEach((i, at) => {
                    const newerBefore = order.slice(0, at).filter((j) => j > i).length;
                    expect(browsers[i]?.cookies.has('session'), `${what}: login ${i}`).toBe(
                      newerBefore < limit,
                    );
                  });
                }
              }
            }
          }
        }
      },
      PERMUTATIONS_TIMEOUT,
    );

    it(
      'logins created in the same millisecond still leave exactly `limit` sessions, in any order',
      async () => {
        for (const limit of [1, 2]) {
          for (const order of permutations(4)) {
            const h = kit(target, limit);
            const browsers = await concurrentLogins(h, 'ada', 4, order, 'together', true);
            const alive = [];
            for (const browser of browsers) {
              if ((await deviceOf(h, browser)) !== undefined) alive.push(await refOf(h, browser));
            }
            expect(alive).toHaveLength(limit);
            expect(await refsOf(h, 'ada')).toEqual(alive.sort());
          }
        }
      },
      PERMUTATIONS_TIMEOUT,
    );

    it('with a limit of 1 only the newest login lives; other users are untouched', async () => {
      const h = kit(target, 1);
      const [first, second, third, bob] = [1, 2, 3, 4].map(() => new TestBrowser()) as TestBrowser[];
      await login(h, bob as TestBrowser, 'bob', 'bob');
      for (const [browser, device] of [
        [first, 'first'],
        [second, 'second'],
        [third, 'third'],
      ] as const) {
        await login(h, browser as TestBrowser, 'ada', device);
      }
      expect(await deviceOf(h, first as TestBrowser)).toBeUndefined();
      expect(await deviceOf(h, second as TestBrowser)).toBeUndefined();
      expect(await deviceOf(h, third as TestBrowser)).toBe('third');
      expect(await refsOf(h, 'ada')).toEqual([await refOf(h, third as TestBrowser)]);
      expect(await deviceOf(h, bob as TestBrowser)).toBe('bob');
    });
  });
}

describe('maxSessionsPerUser option', () => {
  it('is validated once, at creation, with a message that says how to fix it', () => {
    const client = { hgetall() {}, evalsha() {} } as unknown as Parameters<typeof redisStorage>[0]['client'];
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', null]) {
      expect(() => redisStorage({ client, maxSessionsPerUser: bad as number })).toThrow(SessionConfigError);
    }
    expect(() => redisStorage({ client, maxSessionsPerUser: 0 })).toThrow(
      /`maxSessionsPerUser` must be a whole number of sessions, 1 or more \(e\.g\. 5\), or left out for no limit\./,
    );
    expect(() => redisStorage({ client, maxSessionsPerUser: 3 })).not.toThrow();
    expect(() => redisStorage({ client })).not.toThrow();
  });
});
