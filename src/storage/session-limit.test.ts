// maxSessionsPerUser's option. What it does, on every store the kit ships,
// is in the store conformance suite (src/testing/limit-cases.ts and
// order-cases.ts), run by store/kit-stores.test.ts.
import { describe, expect, it } from 'vitest';
import { redisStorage } from '../entries/redis.ts';
import { SessionConfigError } from '../errors.ts';

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
