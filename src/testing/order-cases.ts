import { describe, expect, it } from 'vitest';
import { concurrentLogins, deviceOf } from './limit-cases.ts';
import { type Suite, setUp } from './suite-setup.ts';
import { refOf, refsOf } from './user-cases.ts';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((rest) =>
    Array.from({ length: n }, (_, at) => [...rest.slice(0, at), n - 1, ...rest.slice(at)]),
  );
}

/**
 * The rule of session-limit.ts, in every order: concurrent logins saved in
 * any order leave exactly the newest `maxSessionsPerUser` sessions. This is
 * what holds a store's `create()` and `listByUser()` to their contract (a
 * record before its index entry; every completed login listed).
 */
export function orderCases(suite: Suite): void {
  // Well over a thousand requests per case.
  const timeout = suite.timeout * 5;

  describe('maxSessionsPerUser, logins landing in any order', () => {
    it(
      'concurrent logins saved in any order leave exactly the newest `limit` sessions',
      async () => {
        const setup = await setUp(suite);
        let run = 0;
        for (const count of [3, 4]) {
          for (const limit of [1, 2]) {
            for (const order of permutations(count)) {
              for (const release of ['one-by-one', 'together'] as const) {
                const user = `perm${run++}`;
                const h = setup.kit({}, { maxSessionsPerUser: limit });
                const browsers = await concurrentLogins(h, user, count, order, release);
                const what = `${count} logins, limit ${limit}, saved ${release} in order ${order.join(',')}`;
                const devices = await Promise.all(browsers.map((b) => deviceOf(h, b)));
                const newest = browsers.map((_, i) => (i >= count - limit ? `device ${i}` : undefined));
                expect(devices, what).toEqual(newest);
                const winners = await Promise.all(browsers.slice(count - limit).map((b) => refOf(h, b)));
                expect(await refsOf(h, user), what).toEqual(winners.sort());
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
      timeout,
    );

    it(
      'logins created in the same millisecond still leave exactly `limit` sessions, in any order',
      async () => {
        const cases = [1, 2].flatMap((limit) => permutations(4).map((order) => ({ limit, order })));
        const setup = await setUp(suite);
        for (const [run, { limit, order }] of cases.entries()) {
          const h = setup.kit({}, { maxSessionsPerUser: limit });
          const browsers = await concurrentLogins(h, `same${run}`, 4, order, 'together', true);
          const alive = [];
          for (const browser of browsers) {
            if ((await deviceOf(h, browser)) !== undefined) alive.push(await refOf(h, browser));
          }
          expect(alive).toHaveLength(limit);
          expect(await refsOf(h, `same${run}`)).toEqual(alive.sort());
        }
      },
      timeout,
    );
  });
}
