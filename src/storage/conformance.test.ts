// One behavioural suite, run against every storage the kit ships (real
// Redis, Redis Cluster, Vercel KV client via the REST bridge, Memcached, and
// the two cookie storages where a case applies).
import { describe, expect, it } from 'vitest';
import { SessionUnsupportedError } from '../errors.ts';
import { createSessionKit } from '../next/kit.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { allTargets, type Target } from '../test-utils/targets.ts';
import { createToken } from './store/token.ts';

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

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

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
      it('keeps only an opaque 256-bit token in the cookie and re-sends no cookie on data changes', async () => {
        const { h } = kit(target);
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        const token = cookieOf(browser);
        expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
        await h.request(browser, async (s) => {
          s.set('count', 2);
          await s.save();
        });
        expect(browser.lastWrites).toEqual([]); // same token, same absolute expiry
        await h.request(browser, (s) => expect(s.data).toEqual({ user: 'ada', count: 2 }));
      });

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

      it('really expires the record when its TTL runs out', async () => {
        const { h, keyPrefix } = kit(target, { maxAge: 2 });
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        const key = (await target.keyOf?.(keyPrefix, cookieOf(browser))) as string;
        expect(await target.inspect?.exists(key)).toBe(true);
        await new Promise((r) => setTimeout(r, 3200));
        expect(await target.inspect?.exists(key)).toBe(false);
      });

      it('slides the idle timeout by refreshing the TTL, throttled by touchAfter, without rewriting data', async () => {
        const { h, keyPrefix } = kit(target, { maxAge: 3600, idleTimeout: 100, touchAfter: 10 });
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('count', 1);
          await s.save();
        });
        const key = (await target.keyOf?.(keyPrefix, cookieOf(browser))) as string;
        h.clock.advance(5); // before touchAfter: nothing written
        await h.request(browser, (s) => expect(s.get('count')).toBe(1));
        expect(browser.lastWrites).toEqual([]);
        for (let i = 0; i < 3; i++) {
          h.clock.advance(60); // idle 60 s each time: still alive because each read touches
          await h.request(browser, (s) => expect(s.get('count')).toBe(1));
        }
        expect(browser.lastWrites).toEqual([]); // touches never rewrite the cookie
        const pttl = await target.inspect?.pttl(key);
        if (pttl !== undefined) expect(pttl).toBeGreaterThan(90_000);
        h.clock.advance(110);
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
        expect(h.invalid).toEqual(['expired']);
      });

      it('rejects malformed and unknown tokens before or at the store; a client cannot choose its id', async () => {
        const { h } = kit(target);
        const browser = new TestBrowser();
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

      it(
        target.mergesKeys
          ? 'a flash message shows exactly once, even to racing requests'
          : 'a flash message shows once',
        async () => {
          const { h } = kit(target);
          const browser = new TestBrowser();
          await h.request(browser, async (s) => {
            s.set('user', 'ada');
            s.flash('notice', 'Saved ✓');
            expect(await s.getFlash('notice')).toBeUndefined(); // not for this request
            await s.save();
          });
          const seen = await Promise.all(
            [1, 2, 3].map(() =>
              h.request(browser, async (s) => [await s.getFlash('notice'), await s.getFlash('notice')]),
            ),
          );
          const shown = seen.filter(([first]) => first !== undefined);
          // Atomic take on Redis, Cluster and KV; memcached (no CAS) may show it
          // to more than one of several racing requests (documented).
          if (target.mergesKeys) expect(shown.length).toBe(1);
          else expect(shown.length).toBeGreaterThanOrEqual(1);
          expect(shown[0]).toEqual(['Saved ✓', 'Saved ✓']); // stable within the request
          await h.request(browser, async (s) => {
            expect(await s.getFlash('notice')).toBeUndefined();
            expect(s.get('user')).toBe('ada');
          });
        },
      );

      it('a corrupt stored record loads as a fresh session, reported as invalid', async () => {
        const { h, keyPrefix } = kit(target);
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        await target.inspect?.corrupt((await target.keyOf?.(keyPrefix, cookieOf(browser))) as string);
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
        expect(h.invalid).toEqual(['invalid']);
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

    if (store) {
      it(
        target.mergesKeys
          ? 'two concurrent requests that change different keys both keep their change'
          : 'two concurrent saves of one session are last-write-wins (documented)',
        async () => {
          const { h } = kit(target);
          const browser = new TestBrowser();
          await h.request(browser, async (s) => {
            s.set('count', 0);
            await s.save();
          });
          const gate = deferred();
          const first = h.request(browser, async (s) => {
            s.set('a', 1);
            await gate.promise;
            await s.save();
          });
          const second = h.request(browser, async (s) => {
            s.set('b', 2);
            await gate.promise;
            await s.save();
          });
          await new Promise((r) => setTimeout(r, 50));
          gate.resolve();
          await Promise.all([first, second]);
          await h.request(browser, (s) => {
            if (target.mergesKeys) expect(s.data).toEqual({ count: 0, a: 1, b: 2 });
            else
              expect([
                { count: 0, a: 1 },
                { count: 0, b: 2 },
              ]).toContainEqual({ ...s.data });
          });
        },
      );

      if (target.mergesKeys) {
        it('changed() after a nested edit merges too: a key added meanwhile survives', async () => {
          const { h } = kit(target);
          const browser = new TestBrowser();
          await h.request(browser, async (s) => {
            s.set('nested', { n: 1 });
            await s.save();
          });
          const gate = deferred();
          const nestedEdit = h.request(browser, async (s) => {
            const nested = s.get('nested');
            if (nested) nested.n = 2;
            s.changed();
            await gate.promise;
            await s.save();
          });
          await h.request(browser, async (s) => {
            s.set('b', 9);
            await s.save();
          });
          gate.resolve();
          await nestedEdit;
          await h.request(browser, (s) => expect(s.data).toEqual({ nested: { n: 2 }, b: 9 }));
        });
      }

      it('a save never resurrects a session that was logged out meanwhile', async () => {
        const { h } = kit(target);
        const browser = new TestBrowser();
        await login(h, browser, 'ada');
        const other = new TestBrowser();
        other.cookies.set('session', cookieOf(browser));
        const gate = deferred();
        const late = h.request(browser, async (s) => {
          s.set('count', 1);
          await gate.promise;
          await s.save();
        });
        await h.request(other, async (s) => {
          s.invalidate();
          await s.save();
        });
        gate.resolve();
        await late;
        expect(browser.cookies.size).toBe(0);
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
      });

      it('lists a user’s sessions and signs out everywhere else', async () => {
        const { h } = kit(target);
        const laptop = new TestBrowser();
        const phone = new TestBrowser();
        const tablet = new TestBrowser();
        await login(h, laptop, 'ada');
        await login(h, phone, 'ada');
        await login(h, tablet, 'bob');
        const backend = h.engine.backend;
        const sessions = (await backend.listUserSessions?.('ada')) ?? [];
        expect(sessions.length).toBe(2);
        for (const info of sessions) {
          expect(info.handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(info.handle).not.toBe(cookieOf(laptop));
          expect(info.expiresAt).toBeGreaterThan(info.createdAt);
        }
        const laptopRef = await backend.refOf?.(cookieOf(laptop));
        expect(sessions.map((s) => s.handle)).toContain(laptopRef);
        const ended = await backend.destroyUserSessions?.('ada', [laptopRef as string]);
        expect(ended).toBe(1);
        await h.request(laptop, (s) => expect(s.get('user')).toBe('ada'));
        await h.request(phone, (s) => expect(s.isNew).toBe(true));
        await h.request(tablet, (s) => expect(s.get('user')).toBe('bob'));
        expect((await backend.listUserSessions?.('ada'))?.length).toBe(1);
        expect(await backend.destroyUserSessions?.('ada', [])).toBe(1);
        await h.request(laptop, (s) => expect(s.isNew).toBe(true));
        expect(await backend.listUserSessions?.('ada')).toEqual([]);
      });
    } else {
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
