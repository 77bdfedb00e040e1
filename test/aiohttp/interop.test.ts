// Sessions shared with a real Python aiohttp app using the real
// aiohttp-session (Debian's python3-aiohttp-session): Redis, Memcached and
// Fernet-encrypted cookies, both directions, logout and expiry.
import { Redis } from 'ioredis';
import memjs from 'memjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SessionEngine } from '../../src/engine.ts';
import { memcachedStorage } from '../../src/entries/memcached.ts';
import { redisStorage } from '../../src/entries/redis.ts';
import { SessionUnsupportedError } from '../../src/errors.ts';
import { fernetCookieStorage } from '../../src/storage/aiohttp/fernet-cookie.ts';
import type { SessionStorage } from '../../src/storage/types.ts';
import { freePort } from '../servers/ports.ts';
import { typed } from './py-model.ts';
import {
  Browser,
  ensurePython,
  fernetKey,
  kitRequest,
  type PythonApp,
  type PythonInspection,
  pyRequest,
  pythonDumps,
  startPythonApp,
} from './python.ts';

const COOKIE = 'AIOHTTP_SESSION';
const LONG = 600;
const SHORT = 2;
type Kind = 'redis' | 'memcached' | 'fernet';
const KINDS: readonly Kind[] = ['redis', 'memcached', 'fernet'];

let app: PythonApp;
let redis: Redis;
let memcached: memjs.Client;
let key: string;
const invalid: string[] = [];

function engine(kind: Kind, maxAge: number): SessionEngine {
  const storage: SessionStorage =
    kind === 'redis'
      ? redisStorage({ client: redis, format: 'aiohttp' })
      : kind === 'memcached'
        ? memcachedStorage({ client: memcached, format: 'aiohttp' })
        : fernetCookieStorage({ key });
  return new SessionEngine({
    storage,
    cookieName: COOKIE,
    maxAge,
    onInvalidSession: (reason) => invalid.push(reason),
  });
}

/** The raw record aiohttp-session's store keeps for the browser's session. */
async function storedRecord(kind: Kind, browser: Browser): Promise<string | null> {
  const id = browser.cookies.get(COOKIE) ?? '';
  if (kind === 'redis') return redis.get(`${COOKIE}_${id}`);
  const { value } = await memcached.get(`${COOKIE}_${id}`);
  return value === null ? null : value.toString('utf8');
}

beforeAll(async () => {
  ensurePython();
  const servers = inject('servers');
  redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
  memcached = memjs.Client.create(servers.memcached.url, { logger: { log: () => {} } });
  key = fernetKey();
  app = await startPythonApp(await freePort(), servers.redis.url, servers.memcached.url, key);
}, 60_000);

afterAll(() => {
  app?.stop();
  redis?.disconnect();
  memcached?.close();
});

describe.each(KINDS)('aiohttp-session interop: %s', (kind) => {
  const path = (route: string, short = false) => `/${kind}${short ? '-short' : ''}/${route}`;

  it('login on Python → the kit sees the user; a change on the kit → Python reads it', async () => {
    const kit = engine(kind, LONG);
    const browser = new Browser();
    const login = await pyRequest(app, browser, path('login'), { user: 'ada' });
    expect(login.data).toEqual({ user: 'ada' });
    const cookie = browser.cookies.get(COOKIE) ?? '';
    if (kind === 'fernet') expect(cookie).toMatch(/^"?gAAAAA/);
    else expect(cookie).toMatch(/^[0-9a-f]{32}$/);

    await kitRequest(kit, browser, async (s) => {
      expect(s.isNew).toBe(false);
      expect(s.get('user')).toBe('ada');
      s.set('count', 2);
      await s.save();
    });
    const seen = await pyRequest(app, browser, path('get'));
    expect(seen.new).toBe(false);
    expect(seen.data).toEqual({ user: 'ada', count: 2 });
    // Python writes again; the kit reads that too.
    await pyRequest(app, browser, path('set'), { count: 3 });
    await kitRequest(kit, browser, (s) => expect(s.data).toEqual({ user: 'ada', count: 3 }));
  });

  it('login on the kit → Python sees the user; logout on Python → the kit sees a fresh session', async () => {
    const kit = engine(kind, LONG);
    const browser = new Browser();
    await kitRequest(kit, browser, async (_s, newSession) => {
      const s = newSession();
      s.set('user', 'bob');
      await s.save();
    });
    const cookie = browser.cookies.get(COOKIE) ?? '';
    if (kind !== 'fernet') {
      expect(cookie).toMatch(/^[0-9a-f]{32}$/);
      const record = await storedRecord(kind, browser);
      const created = (JSON.parse(record ?? '{}') as { created: number }).created;
      expect(record).toBe(`{"created": ${created}, "session": {"user": "bob"}}`);
    }
    expect((await pyRequest(app, browser, path('get'))).data).toEqual({ user: 'bob' });

    const otherTab = new Browser();
    otherTab.cookies.set(COOKIE, cookie);
    const out = await pyRequest(app, browser, path('logout'), {});
    expect(out.data).toEqual({});
    expect(browser.cookies.has(COOKIE)).toBe(false);
    await kitRequest(kit, browser, (s) => expect(s.isNew).toBe(true));
    if (kind !== 'fernet') {
      // Python left its "{}" mark in the store: a tab still holding the id is logged out too.
      expect(await storedRecord(kind, otherTab)).toBe('{}');
      await kitRequest(kit, otherTab, (s) => expect(s.isNew).toBe(true));
    }
  });

  it('logout on the kit → Python sees a fresh session', async () => {
    const kit = engine(kind, LONG);
    const browser = new Browser();
    await pyRequest(app, browser, path('login'), { user: 'cy' });
    const otherTab = new Browser();
    otherTab.cookies.set(COOKIE, browser.cookies.get(COOKIE) ?? '');
    await kitRequest(kit, browser, async (s) => {
      expect(s.get('user')).toBe('cy');
      s.invalidate();
      await s.save();
    });
    expect(browser.cookies.has(COOKIE)).toBe(false);
    const after = await pyRequest(app, browser, path('get'));
    expect(after).toMatchObject({ new: true, data: {} });
    if (kind !== 'fernet') {
      // The record is gone: the old id is refused by Python as well.
      expect(await storedRecord(kind, otherTab)).toBeNull();
      expect(await pyRequest(app, otherTab, path('get'))).toMatchObject({ new: true, data: {} });
    }
  });

  it('non-ASCII data round trips both ways, written as Python writes it', async () => {
    const kit = engine(kind, LONG);
    const browser = new Browser();
    const fromPython = {
      name: 'Zoë ✓ 😀',
      nested: { ключ: ['日本語', 1.5, null, true, -7, 1e-7] },
      quote: 'a "b" \\ c\n\u2028',
    };
    await pyRequest(app, browser, path('set'), fromPython);
    const reply = 'Grüße 🚀 — “ok”';
    await kitRequest(kit, browser, async (s) => {
      expect(s.data).toEqual(fromPython);
      s.set('reply', reply);
      await s.save();
    });
    const seen = await pyRequest(app, browser, path('get'));
    expect(seen.data).toEqual({ ...fromPython, reply });
    if (kind !== 'fernet') {
      await kitRequest(kit, browser, async (s) => {
        s.set('more', '∞');
        await s.save();
      });
      const record = (await storedRecord(kind, browser)) ?? '';
      const { created, session } = JSON.parse(record) as { created: number; session: unknown };
      const [dumped] = pythonDumps([{ created, session }]);
      expect(record).toBe(dumped);
      expect(record).toMatch(/^[\x20-\x7e]+$/);
    }
  });
});

// A Python app's session, as the Python app sets it: JSON that JavaScript cannot write.
const PYTHON_VALUES =
  '{"user_id": 1234567890123456789, "ratio": 1.0, "neg": -0.0, "nan": NaN, "inf": Infinity, ' +
  '"ninf": -Infinity, "e16": 1e16, "tiny": 1e-07, "huge": -1208925819614629174706176, ' +
  '"edge": 9007199254740992, "name": "Zo\\u00eb \\ud83d\\ude00", ' +
  '"prefs": {"zoom": 1.0, "theme": "light", "2": 2.0, "1": [1.0, 2.5, {"deep": -0.0}]}, "counter": 1}';

// The same values as the kit documents them in JavaScript.
const JS_VALUES = {
  user_id: 1234567890123456789n,
  ratio: 1,
  neg: -0,
  nan: Number.NaN,
  inf: Number.POSITIVE_INFINITY,
  ninf: Number.NEGATIVE_INFINITY,
  e16: 1e16,
  tiny: 1e-7,
  huge: -1208925819614629174706176n,
  edge: 9007199254740992n,
  name: 'Zoë 😀',
  prefs: { zoom: 1, theme: 'light', 2: 2, 1: [1, 2.5, { deep: -0 }] },
  counter: 1,
};

/** The description app.py gives of `session[key]` (and deeper keys). */
function pyType(types: unknown, ...keys: string[]): unknown {
  let at = types;
  for (const key of keys) {
    const members = (at as [string, [string, unknown][]])[1];
    at = members.find(([k]) => k === key)?.[1];
  }
  return at;
}

describe.each(KINDS)('aiohttp-session interop: Python values, %s', (kind) => {
  const path = (route: string) => `/${kind}/${route}`;
  const inspect = (browser: Browser, body?: string) =>
    pyRequest<PythonInspection>(app, browser, path(body === undefined ? 'inspect' : 'put'), body);

  it('every value Python wrote reads exactly on the kit and comes back to Python as it was', async () => {
    invalid.length = 0;
    const kit = engine(kind, LONG);
    const browser = new Browser();
    const before = await inspect(browser, PYTHON_VALUES);
    await kitRequest(kit, browser, async (s) => {
      expect(typed(s.data)).toEqual(typed(JS_VALUES));
      // Another key changes: everything else must reach Python as it was.
      s.set('counter', 2);
      await s.save();
    });
    const after = await inspect(browser);
    expect(after.repr).toBe(before.repr.replace("'counter': 1", "'counter': 2"));
    expect(pyType(after.types, 'user_id')).toEqual(['int', '1234567890123456789']);
    expect(pyType(after.types, 'ratio')).toEqual(['float', '1.0', 1, false]);
    expect(pyType(after.types, 'neg')).toEqual(['float', '-0.0', -1, false]);
    expect(pyType(after.types, 'nan')).toEqual(['float', 'nan', 1, true]);
    expect(pyType(after.types, 'prefs', '1')).toEqual([
      'list',
      [
        ['float', '1.0', 1, false],
        ['float', '2.5', 1, false],
        ['dict', [['deep', ['float', '-0.0', -1, false]]]],
      ],
    ]);
    if (kind !== 'fernet') {
      // Byte for byte what Python's json.dumps writes for that session.
      const record = (await storedRecord(kind, browser)) ?? '';
      const created = /^\{"created": (\d+), /.exec(record)?.[1];
      expect(record).toBe(`{"created": ${created}, "session": ${after.dumps}}`);
    }

    // A nested value rewritten around a float: the float stays a float.
    await kitRequest(kit, browser, async (s) => {
      s.set('prefs', { ...(s.get('prefs') as object), theme: 'dark' });
      await s.save();
    });
    const rewritten = await inspect(browser);
    expect(rewritten.repr).toBe(after.repr.replace("'theme': 'light'", "'theme': 'dark'"));
    expect(pyType(rewritten.types, 'prefs', 'zoom')).toEqual(['float', '1.0', 1, false]);
    expect(invalid).toEqual([]);
  });

  it('values the kit sets reach Python with the documented types, and come back', async () => {
    const kit = engine(kind, LONG);
    const browser = new Browser();
    await kitRequest(kit, browser, async (_s, newSession) => {
      const s = newSession();
      s.set('user_id', 2n ** 70n);
      s.set('count', 5);
      s.set('ratio', 1.5);
      s.set('neg', -0);
      s.set('nan', Number.NaN);
      s.set('inf', Number.NEGATIVE_INFINITY);
      s.set('unsafe', 2 ** 60);
      s.set('e16', 1e16);
      s.set('nested', { a: [1, 0.5, -0, 1e-5] });
      await s.save();
    });
    const seen = await inspect(browser);
    expect(seen.repr).toBe(
      "{'user_id': 1180591620717411303424, 'count': 5, 'ratio': 1.5, 'neg': -0.0, 'nan': nan, " +
        "'inf': -inf, 'unsafe': 1.152921504606847e+18, 'e16': 1e+16, 'nested': {'a': [1, 0.5, -0.0, 1e-05]}}",
    );
    expect(pyType(seen.types, 'user_id')).toEqual(['int', '1180591620717411303424']);
    await inspect(browser, '{"count": 6}');
    await kitRequest(kit, browser, (s) => {
      expect(typed(s.data)).toEqual(
        typed({
          user_id: 2n ** 70n,
          count: 6,
          ratio: 1.5,
          neg: -0,
          nan: Number.NaN,
          inf: Number.NEGATIVE_INFINITY,
          unsafe: 2 ** 60,
          e16: 1e16,
          nested: { a: [1, 0.5, -0, 1e-5] },
        }),
      );
    });
  });

  it('what Python could not read back is refused on save, and Python keeps its session', async () => {
    const kit = engine(kind, LONG);
    const browser = new Browser();
    const before = await inspect(browser, PYTHON_VALUES);
    // 4300 digits, as many as Python reads (a Fernet cookie has room for fewer).
    const longest = kind === 'fernet' ? 10n ** 99n : 10n ** 4299n;
    await kitRequest(kit, browser, async (s) => {
      s.set('counter', 10n ** 4300n);
      await expect(s.save()).rejects.toThrow(SessionUnsupportedError);
      s.set('counter', longest);
      await s.save();
    });
    expect((await inspect(browser)).repr).toBe(before.repr.replace("'counter': 1", `'counter': ${longest}`));

    // The deepest nesting the kit writes is read by aiohttp-session, one level more is refused.
    let deep: unknown = [];
    for (let i = 1; i < 898; i++) deep = [deep];
    await kitRequest(kit, browser, async (s) => {
      s.set('deep', [deep]);
      await expect(s.save()).rejects.toThrow(SessionUnsupportedError);
      s.set('deep', deep);
      await s.save();
    });
    expect(await pyRequest(app, browser, path('depth'))).toEqual({ new: false, depth: 899 });
  });
});

describe('aiohttp-session interop: fernet cookies and Next', () => {
  it('kit-written Fernet cookies need no quoting or percent-encoding, at every payload length', async () => {
    const kit = engine('fernet', LONG);
    for (let length = 0; length < 48; length++) {
      const browser = new Browser();
      const text = 'x'.repeat(length);
      await kitRequest(kit, browser, async (s) => {
        s.set('t', text);
        await s.save();
      });
      const cookie = browser.cookies.get(COOKIE) ?? '';
      expect(cookie).toMatch(/^gAAAAA[A-Za-z0-9_-]+$/);
      expect((await pyRequest(app, browser, '/fernet/get')).data).toEqual({ t: text });
    }
  });

  it('reads Python’s quoted cookies (a token ending in "=")', async () => {
    const kit = engine('fernet', LONG);
    let quoted = 0;
    for (let length = 0; length < 6; length++) {
      const browser = new Browser();
      await pyRequest(app, browser, '/fernet/set', { t: 'y'.repeat(length) });
      if (browser.cookies.get(COOKIE)?.startsWith('"')) quoted++;
      await kitRequest(kit, browser, (s) => expect(s.get('t')).toBe('y'.repeat(length)));
    }
    expect(quoted).toBeGreaterThan(0);
  });

  it('another key or a tampered cookie is a fresh session on both sides', async () => {
    const browser = new Browser();
    await pyRequest(app, browser, '/fernet/login', { user: 'ada' });
    const foreign = new SessionEngine({
      storage: fernetCookieStorage({ key: fernetKey() }),
      cookieName: COOKIE,
      maxAge: LONG,
    });
    await kitRequest(foreign, browser, (s) => expect(s.isNew).toBe(true));
    const token = (browser.cookies.get(COOKIE) ?? '').replace(/"/g, '');
    const tampered = new Browser();
    tampered.cookies.set(COOKIE, `${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`);
    await kitRequest(engine('fernet', LONG), tampered, (s) => expect(s.isNew).toBe(true));
    expect(await pyRequest(app, tampered, '/fernet/get')).toMatchObject({ new: true, data: {} });
  });
});

describe('aiohttp-session interop: expiry', () => {
  it(`both sides end a session ${SHORT} s after its last write`, async () => {
    const browsers = await Promise.all(
      KINDS.map(async (kind) => {
        const kit = engine(kind, SHORT);
        const byPython = new Browser();
        await pyRequest(app, byPython, `/${kind}-short/login`, { user: 'ada' });
        await kitRequest(kit, byPython, (s) => expect(s.get('user')).toBe('ada'));
        const byKit = new Browser();
        await kitRequest(kit, byKit, async (_s, newSession) => {
          const s = newSession();
          s.set('user', 'bob');
          await s.save();
        });
        expect((await pyRequest(app, byKit, `/${kind}-short/get`)).data).toEqual({ user: 'bob' });
        return { kind, kit, byPython, byKit, stale: [new Map(byPython.cookies), new Map(byKit.cookies)] };
      }),
    );
    await new Promise((r) => setTimeout(r, (SHORT + 1.3) * 1000));
    for (const { kind, kit, byPython, byKit, stale } of browsers) {
      const [pythonCopy, kitCopy] = stale.map((cookies) => {
        const b = new Browser();
        for (const [n, v] of cookies ?? []) b.cookies.set(n, v);
        return b;
      }) as [Browser, Browser];
      invalid.length = 0;
      await kitRequest(kit, byPython, (s) => expect(s.isNew, kind).toBe(true));
      await kitRequest(kit, byKit, (s) => expect(s.isNew, kind).toBe(true));
      expect(invalid, kind).toEqual(['expired', 'expired']);
      expect(await pyRequest(app, pythonCopy, `/${kind}-short/get`), kind).toMatchObject({ data: {} });
      expect(await pyRequest(app, kitCopy, `/${kind}-short/get`), kind).toMatchObject({ data: {} });
    }
  }, 20_000);

  it('a write restarts the lifetime on both sides (aiohttp-session 2.11 semantics)', async () => {
    const kit = engine('redis', SHORT);
    // Reads meant to come 1.2 s after the write; by then at most this long: safely alive on both sides
    // (the original margin to the 2 s lifetime, less 300 ms for the requests themselves).
    const safelyAliveMs = SHORT * 1000 - 500;
    const gaps: number[] = [];
    // An attempt proves nothing when the host stalled past that margin between the write and the
    // reads (the session may then legitimately be gone): it is run again, never judged.
    for (let attempt = 1; attempt <= 4; attempt++) {
      const browser = new Browser();
      await pyRequest(app, browser, '/redis-short/login', { user: 'ada' });
      await new Promise((r) => setTimeout(r, 1200));
      const written = Date.now(); // the write's lifetime starts no earlier
      await kitRequest(kit, browser, async (s) => {
        s.set('n', 1);
        await s.save();
      });
      await new Promise((r) => setTimeout(r, 1200));
      // At least 2.4 s after the login (past its own lifetime), soon after the kit's write.
      const python = await pyRequest(app, browser, '/redis-short/get');
      let kitUser: unknown;
      await kitRequest(kit, browser, (s) => {
        kitUser = s.get('user');
      });
      const gap = Date.now() - written;
      if (gap > safelyAliveMs) {
        gaps.push(gap);
        continue;
      }
      expect(python.data, 'alive on the Python side').toEqual({ user: 'ada', n: 1 });
      expect(kitUser, 'alive on the kit side').toBe('ada');
      return;
    }
    throw new Error(
      `the host stalled past ${safelyAliveMs} ms after the write in every attempt: ${gaps.join(', ')} ms`,
    );
  }, 60_000);
});
