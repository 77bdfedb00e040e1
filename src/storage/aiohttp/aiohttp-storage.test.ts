// The storage conformance cases that apply to the aiohttp-session formats,
// run against real Redis, Redis Cluster and memcached, and the Fernet cookie;
// plus what these formats refuse, and how.
import { Cluster, Redis } from 'ioredis';
import memjs from 'memjs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFernetCodec, decodeFernetKey } from '../../codec/fernet.ts';
import { SessionEngine } from '../../engine.ts';
import { memcachedStorage } from '../../entries/memcached.ts';
import { redisStorage } from '../../entries/redis.ts';
import {
  SessionConfigError,
  SessionStoreError,
  SessionTooLargeError,
  SessionUnsupportedError,
} from '../../errors.ts';
import { createLifetime } from '../../lifetime.ts';
import { createSessionKit } from '../../next/kit.ts';
import type { StandardSchemaV1 } from '../../schema/standard-schema.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import type { SessionData } from '../../types.ts';
import type { SessionStorage } from '../types.ts';
import { fernetCookieStorage } from './fernet-cookie.ts';
import { aiohttpSessionId } from './store.ts';

const COOKIE = 'AIOHTTP_SESSION';
// A fixed test key (32 bytes, url-safe base64), as Fernet.generate_key() prints one.
const KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const OLD_KEY = 'G2V3nq0p2Zb3h1vQyK3Q4l9mXn8aR6s7T5u4V3w2X1E=';
const fernet = createFernetCodec([decodeFernetKey(KEY) as Uint8Array]);

const servers = inject('servers');
const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
const cluster = new Cluster(
  servers.cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
  { redisOptions: { maxRetriesPerRequest: 1 } },
);
const memcached = memjs.Client.create(servers.memcached.url, { logger: { log: () => {} } });
afterAll(() => {
  redis.disconnect();
  cluster.disconnect();
  memcached.close();
});

interface Target {
  name: string;
  store: boolean;
  make(): SessionStorage;
  /** Stores a record as the Python app would; resolves to the cookie value that names it. */
  plant(record: string, created: number): Promise<string>;
  /** The record a cookie value names. */
  stored(cookie: string): Promise<string | null | undefined>;
  raw?(key: string): Promise<string | null>;
  /** Stores `value` under `key` for a minute, as Python's aiohttp-session would. */
  write?(key: string, value: string): Promise<void>;
  corrupt?(key: string): Promise<void>;
  ttl?(key: string): Promise<number>;
}

const targets: Target[] = [
  {
    name: 'redis',
    store: true,
    make: () => redisStorage({ client: redis, format: 'aiohttp' }),
    plant: async (record) => {
      const id = aiohttpSessionId();
      await redis.set(`${COOKIE}_${id}`, record, 'EX', 60);
      return id;
    },
    stored: (cookie) => redis.get(`${COOKIE}_${cookie}`),
    raw: (key) => redis.get(key),
    write: async (key, value) => void (await redis.set(key, value, 'EX', 60)),
    corrupt: async (key) => void (await redis.set(key, 'not json', 'EX', 60)),
    ttl: (key) => redis.ttl(key),
  },
  {
    name: 'redis-cluster',
    store: true,
    make: () => redisStorage({ client: cluster, format: 'aiohttp' }),
    plant: async (record) => {
      const id = aiohttpSessionId();
      await cluster.set(`${COOKIE}_${id}`, record, 'EX', 60);
      return id;
    },
    stored: (cookie) => cluster.get(`${COOKIE}_${cookie}`),
    raw: (key) => cluster.get(key),
    write: async (key, value) => void (await cluster.set(key, value, 'EX', 60)),
    corrupt: async (key) => void (await cluster.set(key, '[1]', 'EX', 60)),
    ttl: (key) => cluster.ttl(key),
  },
  {
    name: 'memcached',
    store: true,
    make: () => memcachedStorage({ client: memcached, format: 'aiohttp' }),
    plant: async (record) => {
      const id = aiohttpSessionId();
      await memcached.set(`${COOKIE}_${id}`, record, { expires: 60 });
      return id;
    },
    stored: async (cookie) => (await memcached.get(`${COOKIE}_${cookie}`)).value?.toString('utf8'),
    raw: async (key) => (await memcached.get(key)).value?.toString('utf8') ?? null,
    write: async (key, value) => void (await memcached.set(key, value, { expires: 60 })),
    corrupt: async (key) => void (await memcached.set(key, '{"created"', { expires: 60 })),
  },
  {
    name: 'fernet-cookie',
    store: false,
    make: () => fernetCookieStorage({ key: KEY }),
    plant: (record, created) => fernet.encrypt(record, created),
    stored: async (cookie) => {
      const opened = await fernet.decrypt(cookie, 3600, Math.floor(Date.now() / 1000));
      // The kit pads with spaces (JSON whitespace) so the token needs no "=".
      return opened.ok ? opened.plaintext.trimEnd() : undefined;
    },
  },
];

function kit(target: Target, maxAge = 3600) {
  return new Harness({ storage: target.make(), cookieName: COOKIE, maxAge }, new Clock(Date.now()));
}
const cookieOf = (browser: TestBrowser) => browser.cookies.get(COOKIE) ?? '';

for (const target of targets) {
  describe(`aiohttp format conformance: ${target.name}`, () => {
    it('persists data across requests; an untouched session writes nothing', async () => {
      const h = kit(target);
      const browser = new TestBrowser();
      await h.request(browser, (s) => s.save());
      expect(browser.lastWrites).toEqual([]);
      await h.request(browser, async (s) => {
        s.set('user', 'ada ✓ 😀');
        s.set('count', 1);
        await s.save();
      });
      if (target.store) expect(cookieOf(browser)).toMatch(/^[0-9a-f]{32}$/);
      await h.request(browser, async (s) => {
        expect(s.isNew).toBe(false);
        expect(s.data).toEqual({ user: 'ada ✓ 😀', count: 1 });
        await s.save();
      });
      expect(browser.lastWrites).toEqual([]);
      expect(h.invalid).toEqual([]);
    });

    it('a write restarts the lifetime and re-sends the cookie; maxAge after the last write ends it', async () => {
      const h = kit(target, 3600);
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('n', 1);
        await s.save();
      });
      h.clock.advance(3000);
      await h.request(browser, async (s) => {
        s.set('n', 2);
        await s.save();
      });
      // A fresh Max-Age (less the kit's early margin; `created` is whole seconds).
      expect(browser.lastWrites[0]?.options.maxAge).toBeGreaterThanOrEqual(3600 - 61);
      h.clock.advance(3000); // 6000 s after creation, 3000 s after the last write
      await h.request(browser, (s) => expect(s.get('n')).toBe(2));
      h.clock.advance(601);
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
      expect(h.invalid).toEqual(['expired']);
    });

    it('login rotates the identity; logout clears the cookie', async () => {
      const h = kit(target);
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('count', 7);
        await s.save();
      });
      const before = cookieOf(browser);
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession();
        s.set('user', 'ada');
        await s.save();
      });
      expect(cookieOf(browser)).not.toBe(before);
      await h.request(browser, (s) => expect(s.data).toEqual({ user: 'ada' }));
      const replay = new TestBrowser();
      replay.cookies.set(COOKIE, before);
      if (target.store) {
        expect(await target.raw?.(`${COOKIE}_${before}`)).toBeNull();
        await h.request(replay, (s) => expect(s.isNew).toBe(true));
      }
      const stolen = cookieOf(browser);
      await h.request(browser, async (s) => {
        s.invalidate();
        await s.save();
      });
      expect(browser.cookies.size).toBe(0);
      if (target.store) {
        expect(await target.raw?.(`${COOKIE}_${stolen}`)).toBeNull();
        replay.cookies.set(COOKIE, stolen);
        await h.request(replay, (s) => expect(s.isNew).toBe(true));
      }
    });

    it('keeps every value Python wrote, through a change to another key and a nested rewrite', async () => {
      const h = kit(target);
      const created = Math.floor(h.clock.now() / 1000);
      // As Python's json.dumps writes it (the interop tests check that against Python itself).
      const record = (name: string, theme: string) =>
        `{"created": ${created}, "session": {"user_id": 1234567890123456789, "zoom": 1.0, "neg": -0.0, ` +
        `"nan": NaN, "inf": Infinity, "ninf": -Infinity, "e16": 1e+16, "tiny": 1e-07, ` +
        `"prefs": {"zoom": 1.0, "theme": "${theme}", "2": 2.0, "1": [1.0, 2.5]}, "name": "${name}"}}`;
      const browser = new TestBrowser();
      browser.cookies.set(COOKIE, await target.plant(record('ada', 'light'), created));
      await h.request(browser, async (s) => {
        expect(s.get('user_id')).toBe(1234567890123456789n);
        expect(s.get('zoom')).toBe(1);
        expect(Object.is(s.get('neg'), -0)).toBe(true);
        expect(s.get('nan')).toBeNaN();
        expect([s.get('inf'), s.get('ninf'), s.get('e16'), s.get('tiny')]).toEqual([
          Number.POSITIVE_INFINITY,
          Number.NEGATIVE_INFINITY,
          1e16,
          1e-7,
        ]);
        s.set('name', 'bob');
        await s.save();
      });
      expect(await target.stored(cookieOf(browser))).toBe(record('bob', 'light'));
      await h.request(browser, async (s) => {
        s.set('prefs', { ...(s.get('prefs') as object), theme: 'dark' });
        await s.save();
      });
      expect(await target.stored(cookieOf(browser))).toBe(record('bob', 'dark'));
      expect(h.invalid).toEqual([]);
    });

    it('a schema sees Python’s big ints as bigint; one that copies the data keeps Python’s spelling', async () => {
      const userIdIs = (type: string): StandardSchemaV1<unknown, SessionData> => ({
        '~standard': {
          version: 1,
          vendor: 'test',
          // Returns a deep copy, as most validators do.
          validate: (value) =>
            typeof (value as { user_id?: unknown }).user_id === type
              ? { value: structuredClone(value) as SessionData }
              : { issues: [{ message: `user_id must be a ${type}`, path: ['user_id'] }] },
        },
      });
      const created = Math.floor(Date.now() / 1000);
      const record = (n: number) =>
        `{"created": ${created}, "session": {"user_id": 1234567890123456789, "zoom": 1.0, "n": ${n}}}`;
      const strict = new Harness(
        { storage: target.make(), cookieName: COOKIE, schema: userIdIs('number') },
        new Clock(Date.now()),
      );
      const browser = new TestBrowser();
      browser.cookies.set(COOKIE, await target.plant(record(1), created));
      await strict.request(browser, (s) => expect(s.isNew).toBe(true));
      expect(strict.invalid).toEqual(['schema']);

      const h = new Harness(
        { storage: target.make(), cookieName: COOKIE, schema: userIdIs('bigint') },
        new Clock(Date.now()),
      );
      browser.cookies.set(COOKIE, await target.plant(record(1), created));
      await h.request(browser, async (s) => {
        expect(s.get('user_id')).toBe(1234567890123456789n);
        s.set('n', 2);
        await s.save();
      });
      expect(await target.stored(cookieOf(browser))).toBe(record(2));
    });

    it('keeps "__proto__" as plain data', async () => {
      const h = kit(target);
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('__proto__', { polluted: true });
        await s.save();
      });
      await h.request(browser, (s) => expect(s.get('__proto__')).toEqual({ polluted: true }));
      expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    });

    if (target.store) {
      it('stores {"created", "session"} under <cookie name>_<id> with a TTL of maxAge', async () => {
        const h = kit(target, 900);
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'Zoë');
          await s.save();
        });
        const key = `${COOKIE}_${cookieOf(browser)}`;
        const created = Math.floor(h.clock.now() / 1000);
        expect(await target.raw?.(key)).toBe(`{"created": ${created}, "session": {"user": "Zo\\u00eb"}}`);
        const ttl = await target.ttl?.(key);
        if (ttl !== undefined) expect(ttl).toBeGreaterThan(895);
      });

      it('rejects malformed and unknown ids; a client cannot choose its id', async () => {
        const h = kit(target);
        const browser = new TestBrowser();
        for (const bad of ['../../etc', 'E33B57C7EC6E425EB626610F811AB6AE', 'x'.repeat(32), '"abc"', '*']) {
          browser.cookies.set(COOKIE, bad);
          await h.request(browser, (s) => expect(s.isNew).toBe(true));
        }
        const chosen = 'e33b57c7ec6e425eb626610f811ab6ae';
        browser.cookies.set(COOKIE, chosen);
        await h.request(browser, async (s) => {
          expect(s.isNew).toBe(true);
          s.set('user', 'mallory');
          await s.save();
        });
        expect(cookieOf(browser)).not.toBe(chosen);
        expect(h.invalid).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'invalid', 'expired']);
      });

      it('a record whose "created" lies more than 60 s ahead is refused, reported as future', async () => {
        const h = kit(target);
        const now = Math.floor(h.clock.now() / 1000);
        const load = async (created: number) => {
          const id = aiohttpSessionId();
          // What Python's json.dumps writes for {'created': created, 'session': {...}}.
          await target.write?.(`${COOKIE}_${id}`, `{"created": ${created}, "session": {"user": "mallory"}}`);
          const browser = new TestBrowser();
          browser.cookies.set(COOKIE, id);
          return h.request(browser, (s) => s.get('user'));
        };
        expect(await load(now + 10 * 365 * 86_400)).toBeUndefined();
        expect(await load(now + 61)).toBeUndefined();
        expect(await load(now + 60)).toBe('mallory'); // within the clock skew allowed
        expect(h.invalid).toEqual(['future', 'future']);
      });

      it('a corrupt record loads as a fresh session, reported as invalid', async () => {
        const h = kit(target);
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        await target.corrupt?.(`${COOKIE}_${cookieOf(browser)}`);
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
        expect(h.invalid).toEqual(['invalid']);
      });

      it('a save never resurrects a session that was logged out meanwhile', async () => {
        const h = kit(target);
        const browser = new TestBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        const other = new TestBrowser();
        other.cookies.set(COOKIE, cookieOf(browser));
        let release = () => {};
        const gate = new Promise<void>((r) => {
          release = r;
        });
        const late = h.request(browser, async (s) => {
          s.set('count', 1);
          await gate;
          await s.save();
        });
        await h.request(other, async (s) => {
          s.invalidate();
          await s.save();
        });
        release();
        await late;
        expect(browser.cookies.size).toBe(0);
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
      });
    } else {
      it('a session too large for one cookie throws SessionTooLargeError on save', async () => {
        const h = kit(target);
        const browser = new TestBrowser();
        await expect(
          h.request(browser, async (s) => {
            s.set('big', 'x'.repeat(5000));
            await s.save();
          }),
        ).rejects.toThrow(SessionTooLargeError);
      });

      it('a token whose "created", or whose Fernet timestamp, lies in the future is refused', async () => {
        const h = kit(target);
        const now = Math.floor(h.clock.now() / 1000);
        // Whoever holds the key picks both times; Python's Fernet refuses only the second.
        const codec = createFernetCodec([decodeFernetKey(KEY) as Uint8Array]);
        const record = (created: number) => `{"created": ${created}, "session": {"user": "mallory"}}`;
        const load = async (token: string) => {
          const browser = new TestBrowser();
          browser.cookies.set(COOKIE, token);
          return h.request(browser, (s) => s.get('user'));
        };
        expect(await load(await codec.encrypt(record(now + 10 * 365 * 86_400), now))).toBeUndefined();
        expect(await load(await codec.encrypt(record(now), now + 3600))).toBeUndefined();
        expect(await load(await codec.encrypt(record(now + 60), now + 60))).toBe('mallory');
        expect(h.invalid).toEqual(['future', 'future']);
      });

      it('rotation: a cookie sealed with an older key still opens and is re-sealed with the first', async () => {
        const old = new Harness(
          { storage: fernetCookieStorage({ key: OLD_KEY }), cookieName: COOKIE },
          new Clock(Date.now()),
        );
        const browser = new TestBrowser();
        await old.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        const rotated = new Harness(
          { storage: fernetCookieStorage({ key: [KEY, OLD_KEY] }), cookieName: COOKIE },
          new Clock(Date.now()),
        );
        await rotated.request(browser, async (s) => {
          expect(s.get('user')).toBe('ada');
          await s.save();
        });
        expect(browser.lastWrites.length).toBe(1);
        const current = new Harness(
          { storage: fernetCookieStorage({ key: KEY }), cookieName: COOKIE },
          new Clock(Date.now()),
        );
        await current.request(browser, (s) => expect(s.get('user')).toBe('ada'));
      });
    }

    it('refuses what the format cannot hold: a user binding, flash messages, user listings', async () => {
      const h = kit(target);
      const browser = new TestBrowser();
      await expect(
        h.request(browser, async (_s, { newSession }) => {
          const s = newSession('user-1');
          await s.save();
        }),
      ).rejects.toThrow(SessionUnsupportedError);
      await expect(
        h.request(browser, async (s) => {
          s.flash('notice', 'hi');
          await s.save();
        }),
      ).rejects.toThrow(/flash messages/);
      const sessionKit = createSessionKit({ storage: target.make(), cookieName: COOKIE });
      await expect(sessionKit.listUserSessions('ada')).rejects.toBeInstanceOf(SessionUnsupportedError);
      await expect(sessionKit.destroyUserSessions('ada')).rejects.toMatchObject({
        code: 'ERR_SESSION_UNSUPPORTED',
      });
    });

    it('refuses idleTimeout when the kit is created', () => {
      expect(
        () =>
          new SessionEngine({ storage: target.make(), cookieName: COOKIE, maxAge: 3600, idleTimeout: 60 }),
      ).toThrow(/idleTimeout.*last-activity/s);
    });

    it('refuses a data version other than 1 (the format cannot record it), but takes a schema', () => {
      const migrate = (data: Record<string, unknown>) => data;
      expect(
        () => new SessionEngine({ storage: target.make(), cookieName: COOKIE, version: 2, migrate }),
      ).toThrow(SessionConfigError);
      expect(
        () => new SessionEngine({ storage: target.make(), cookieName: COOKIE, version: 2, migrate }),
      ).toThrow(/cannot record the data `version`/);
      expect(
        () => new SessionEngine({ storage: target.make(), cookieName: COOKIE, version: 1 }),
      ).not.toThrow();
    });
  });
}

describe('aiohttp format outage', () => {
  it('a store that does not answer is a SessionStoreError, not a fresh session', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    try {
      const h = new Harness(
        { storage: redisStorage({ client: down, format: 'aiohttp', timeout: 300 }), cookieName: COOKIE },
        new Clock(Date.now()),
      );
      const browser = new TestBrowser();
      browser.cookies.set(COOKIE, 'e33b57c7ec6e425eb626610f811ab6ae');
      await expect(h.request(browser, () => {})).rejects.toBeInstanceOf(SessionStoreError);
    } finally {
      down.disconnect();
    }
  });
});

describe('aiohttp format options', () => {
  it('refuses store options that have no place in the format, saying why', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => redisStorage({ client: redis, format: 'aiohttp', keyPrefix: 'x:' }), /cookieName/],
      [() => redisStorage({ client: redis, format: 'aiohttp', maxSessionsPerUser: 2 }), /per-user index/],
      [() => memcachedStorage({ client: memcached, format: 'aiohttp', touchAfter: 5 }), /idle timeout/],
      [() => redisStorage({ client: redis, format: 'aiohttp', timeout: 0 }), /timeout/],
      [() => redisStorage({ client: redis, format: 'python' as 'aiohttp' }), /"kit".*"aiohttp"/],
      [() => memcachedStorage({ client: memcached, format: 'x' as 'kit' }), /"kit".*"aiohttp"/],
    ];
    for (const [make, message] of cases) {
      expect(make).toThrow(SessionConfigError);
      expect(make).toThrow(message);
    }
  });

  it('validates Fernet keys once, with a message that says how to fix them', () => {
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /Fernet.generate_key/],
      [[], /Fernet.generate_key/],
      ['Thirty  two  length  bytes  key.', /raw 32-byte secret_key.*urlsafe_b64encode/],
      [`+${KEY.slice(1)}`, /standard base64 alphabet/],
      [KEY.slice(0, 40), /44 url-safe base64 characters/],
      [new Uint8Array(32), /not raw bytes/],
      [[KEY, KEY], /repeats/],
    ];
    for (const [key, message] of cases) {
      const make = () =>
        fernetCookieStorage({ key } as { key: string }).create({
          cookieName: COOKIE,
          lifetime: createLifetime(60, undefined),
          now: Date.now,
        });
      expect(make).toThrow(SessionConfigError);
      expect(make).toThrow(message);
      try {
        make();
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(KEY.slice(4, 20));
      }
    }
    expect(() => fernetCookieStorage({ key: KEY, crypto: 'web' })).not.toThrow();
  });
});
