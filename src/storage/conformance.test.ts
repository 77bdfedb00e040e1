// One behavioural suite, run against every storage the kit ships (real
// Redis, Redis Cluster, Vercel KV client via the REST bridge, Memcached,
// memory, and the two cookie storages). What only a store does (tokens,
// merges, flash taken once, a user's sessions) is the store conformance
// suite, describeStoreAdapter, which every store runs in store/kit-stores.test.ts.
import { describe, expect, it } from 'vitest';
import { SessionUnsupportedError } from '../errors.ts';
import { createSessionKit } from '../next/kit.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { allTargets, type Target } from '../test-utils/targets.ts';

type Data = {
  user?: string;
  count?: number;
  a?: number;
  b?: number;
  nested?: { n: number };
  __proto__?: unknown;
};

function kit(target: Target, options: { maxAge?: number; idleTimeout?: number; touchAfter?: number } = {}) {
  const { maxAge, idleTimeout, touchAfter } = options;
  const made = target.make(touchAfter === undefined ? {} : { touchAfter });
  const h = new Harness<Data>(
    { storage: made.storage, ...(maxAge && { maxAge }), ...(idleTimeout && { idleTimeout }) },
    new Clock(Date.now()),
  );
  return { h, keyPrefix: made.keyPrefix };
}

async function login(h: Harness<Data>, browser: TestBrowser, user: string): Promise<string> {
  return h.request(browser, async (_s, { newSession }) => {
    const s = newSession(user);
    s.set('user', user);
    await s.save();
    return s.id;
  });
}

const cookieOf = (browser: TestBrowser) => browser.cookies.get('session') ?? '';

for (const target of allTargets()) {
  const store = target.kind === 'store';

  describe(`storage conformance: ${target.name}`, () => {
    it('persists data and id across requests', async () => {
      const { h } = kit(target);
      const browser = new TestBrowser();
      const id = await h.request(browser, async (s) => {
        s.set('count', 1);
        s.set('user', 'ada ✓ 😀');
        await s.save();
        return s.id;
      });
      await h.request(browser, (s) => {
        expect(s.isNew).toBe(false);
        expect(s.id).toBe(id);
        expect(s.data).toEqual({ count: 1, user: 'ada ✓ 😀' });
      });
      expect(h.invalid).toEqual([]);
    });

    it('writes nothing for an untouched or unchanged session', async () => {
      const { h } = kit(target);
      const browser = new TestBrowser();
      await h.request(browser, (s) => s.save());
      expect(browser.lastWrites).toEqual([]);
      await h.request(browser, async (s) => {
        s.set('count', 1);
        await s.save();
      });
      await h.request(browser, async (s) => {
        expect(s.get('count')).toBe(1);
        await s.save();
      });
      expect(browser.lastWrites).toEqual([]);
    });

    if (store) {
      // The kit's own key layout; what every store must do is in
      // describeStoreAdapter (store/kit-stores.test.ts).
      it('stores the record under prefix + SHA-256(token), with a TTL equal to the remaining lifetime', async () => {
        const { h, keyPrefix } = kit(target, { maxAge: 3600, idleTimeout: 600 });
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        const token = cookieOf(browser);
        const key = await target.keyOf?.(keyPrefix, token);
        expect(key).toBeDefined();
        expect(key).not.toContain(token);
        expect(await target.inspect?.exists(key as string)).toBe(true);
        const pttl = await target.inspect?.pttl(key as string);
        if (pttl !== undefined) {
          expect(pttl).toBeGreaterThan(595_000);
          expect(pttl).toBeLessThanOrEqual(600_000);
        }
        // The cookie lives until the absolute expiry; the store enforces idleness.
        expect(browser.lastWrites[0]?.options.maxAge).toBe(3600 - 60);
      });
    }

    it('login rotates the identity and destroys the previous session when the new one is saved', async () => {
      const { h } = kit(target);
      const browser = new TestBrowser();
      const anonId = await h.request(browser, async (s) => {
        s.set('count', 7);
        await s.save();
        return s.id;
      });
      const before = cookieOf(browser);
      const userId = await login(h, browser, 'ada');
      expect(userId).not.toBe(anonId);
      expect(cookieOf(browser)).not.toBe(before);
      await h.request(browser, (s) => {
        expect(s.id).toBe(userId);
        expect(s.userId).toBe('ada');
        expect(s.data).toEqual({ user: 'ada' });
      });
      // Replay of the pre-login cookie.
      const replay = new TestBrowser();
      replay.cookies.set('session', before);
      await h.request(replay, (s) => {
        if (store) expect(s.isNew).toBe(true);
        else expect(s.id).toBe(anonId); // documented limit of cookie sessions: no revocation
      });
    });

    it('logout clears the cookie; a replayed cookie is refused by stores', async () => {
      const { h } = kit(target);
      const browser = new TestBrowser();
      await login(h, browser, 'ada');
      const stolen = cookieOf(browser);
      await h.request(browser, async (s) => {
        s.invalidate();
        await s.save();
      });
      expect(browser.cookies.size).toBe(0);
      const replay = new TestBrowser();
      replay.cookies.set('session', stolen);
      await h.request(replay, (s) => {
        if (store) expect(s.isNew).toBe(true);
        else expect(s.get('user')).toBe('ada');
      });
    });

    it('enforces the absolute maxAge on the server', async () => {
      const { h } = kit(target, { maxAge: 3600 });
      const browser = new TestBrowser();
      await login(h, browser, 'ada');
      h.clock.advance(3500);
      await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
      h.clock.advance(110);
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
      expect(h.invalid).toEqual(['expired']);
    });

    it('refuses a session created, or last active, more than 60 s in the future', async () => {
      // One storage (one key prefix) shared by servers whose clocks disagree.
      const { storage } = target.make();
      const now = Date.now();
      const server = (aheadMs: number) =>
        new Harness<Data>({ storage, maxAge: 86_400, idleTimeout: 3600 }, new Clock(now + aheadMs));
      const reader = server(0);
      // Created by a server whose clock is ten years ahead (a forged or skewed record).
      const created = new TestBrowser();
      await login(server(10 * 365 * 86_400_000), created, 'mallory');
      await reader.request(created, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.userId).toBeUndefined();
      });
      // Created now, last active an hour from now: the idle timeout would start late.
      const active = new TestBrowser();
      await login(reader, active, 'eve');
      await server(3_600_000).request(active, async (s) => {
        s.set('count', 1);
        await s.save();
      });
      await reader.request(active, (s) => expect(s.isNew).toBe(true));
      // Within the allowed clock skew: loads as usual.
      const skewed = new TestBrowser();
      await login(server(30_000), skewed, 'ada');
      await reader.request(skewed, (s) => expect(s.get('user')).toBe('ada'));
      expect(reader.invalid).toEqual(['future', 'future']);
    });

    it('keeps "__proto__" as plain data', async () => {
      const { h } = kit(target);
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('__proto__', { polluted: true });
        await s.save();
      });
      await h.request(browser, (s) => {
        expect(s.get('__proto__')).toEqual({ polluted: true });
        expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
      });
    });

    if (!store) {
      it('user-session listing needs a store: the kit throws SessionUnsupportedError', async () => {
        const kitForCookies = createSessionKit({ storage: target.make().storage });
        await expect(kitForCookies.listUserSessions('ada')).rejects.toBeInstanceOf(SessionUnsupportedError);
        await expect(kitForCookies.destroyUserSessions('ada')).rejects.toMatchObject({
          code: 'ERR_SESSION_UNSUPPORTED',
          message: expect.stringMatching(/needs a session store/),
        });
      });
    }
  });
}
