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
