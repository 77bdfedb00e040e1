// `cookieCache` against a real Redis: what it saves (store round trips,
// counted on the socket), and what it costs (a revocation reaches a browser
// that holds a copy only when the copy expires).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { NextRequest } from 'next/server.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { redisStorage } from '../../entries/redis.ts';
import { withSessionRequest } from '../../entries/testing.ts';
import { SessionConfigError } from '../../errors.ts';
import { createSessionKit } from '../../next/kit.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { renderOf } from '../../test-utils/proxy-render.ts';
import { encryptedCookieStorage } from '../encrypted-cookie.ts';
import { GET_TOUCH, INDEX_ADD, INDEX_LIST, INDEX_REMOVE, SAVE } from '../redis/scripts.ts';

type Data = { user?: string; count?: number };

const SECRET = randomBytes(32).toString('hex');
const CACHE = 'session.cache';
const MAX_AGE = 30;

let redis: Redis;
let writes = 0;

beforeAll(async () => {
  redis = new Redis(inject('servers').redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  // Every script known to the server up front: a first use costs one more round trip (NOSCRIPT, then EVAL).
  for (const script of [GET_TOUCH, SAVE, INDEX_ADD, INDEX_LIST, INDEX_REMOVE])
    await redis.script('LOAD', script.source);
  const stream = redis.stream;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    writes++;
    return write(...args);
  }) as typeof stream.write;
});

afterAll(() => redis?.disconnect());

function kit(
  options: { maxSessionsPerUser?: number; clock?: Clock; maxAge?: number; idleTimeout?: number | null } = {},
) {
  const storage = redisStorage({
    client: redis,
    keyPrefix: uniquePrefix('cache'),
    maxSessionsPerUser: options.maxSessionsPerUser,
    cookieCache: { maxAge: options.maxAge ?? MAX_AGE, secret: SECRET },
  });
  const idleTimeout = options.idleTimeout === null ? undefined : (options.idleTimeout ?? 600);
  return new Harness<Data>({ storage, maxAge: 3600, idleTimeout }, options.clock ?? new Clock(Date.now()));
}

/** Store round trips one request costs. */
async function trips(fn: () => Promise<unknown>): Promise<number> {
  const before = writes;
  await fn();
  return writes - before;
}

/** A request as the guard makes it: load, read, and write what the load asks to (the cache). */
function read(h: Harness<Data>, browser: TestBrowser): Promise<string | undefined> {
  return h.request(browser, async (s) => {
    const user = s.get('user');
    // The guard saves whatever the load leaves pending (here, only the copy).
    await s.save();
    return user;
  });
}

async function login(h: Harness<Data>, browser: TestBrowser, user: string, userId?: string): Promise<void> {
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession(userId);
    s.set('user', user);
    await s.save();
  });
}

describe('cookieCache (Redis)', () => {
  it('within maxAge a read is served from the copy, with no store round trip; then the store refreshes it', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await login(h, browser, 'ada');
    expect(browser.cookies.has(CACHE), 'a save seals a copy').toBe(true);
    expect(await trips(async () => expect(await read(h, browser)).toBe('ada')), 'from the copy').toBe(0);
    h.clock.advance(MAX_AGE - 1);
    expect(await trips(async () => expect(await read(h, browser)).toBe('ada')), 'still the copy').toBe(0);
    h.clock.advance(2); // the copy expired: the store answers, and a new copy is sealed
    expect(await trips(async () => expect(await read(h, browser)).toBe('ada'))).toBe(1);
    expect(browser.lastWrites.map((w) => w.name)).toEqual([CACHE]);
    expect(await trips(async () => expect(await read(h, browser)).toBe('ada')), 'the new copy').toBe(0);
    expect(h.invalid).toEqual([]);
  });

  it('a read the store answered is no change: isChanged stays false, and save() writes the copy, no store', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await login(h, browser, 'ada');
    h.clock.advance(MAX_AGE + 1); // the copy expired: the store answers
    const seen: boolean[] = [];
    const cost = await trips(() =>
      h.request(browser, async (s) => {
        seen.push(s.isChanged);
        await s.save();
        seen.push(s.isChanged);
      }),
    );
    expect(seen, 'the app changed nothing').toEqual([false, false]);
    expect(cost, 'the load; the copy is a cookie write, not a store write').toBe(1);
    expect(browser.lastWrites.map((w) => w.name)).toEqual([CACHE]);

    // The usual `if (session.isChanged) await session.save()` makes no write at all.
    h.clock.advance(MAX_AGE + 1);
    const idle = await trips(() =>
      h.request(browser, async (s) => {
        if (s.isChanged) await s.save();
      }),
    );
    expect(idle).toBe(1);
    expect(browser.lastWrites).toEqual([]);
    expect(await trips(async () => expect(await read(h, browser)).toBe('ada')), 'the copy renewed').toBe(1);
  });

  it('through the guard: a read the store answered renews the copy in proxy.ts, with no store write, and the page takes that load', async () => {
    const clock = new Clock(Date.now());
    const storage = redisStorage({
      client: redis,
      keyPrefix: uniquePrefix('cache'),
      cookieCache: { maxAge: MAX_AGE, secret: SECRET },
    });
    const kit = createSessionKit<Data>({ storage, maxAge: 3600, idleTimeout: 600, now: clock.now });
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const signIn = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: 'ada' });
      s.set('user', 'ada');
      await s.save();
    });
    const session = signIn.cookies.session ?? '';
    let cache = signIn.cookies[CACHE] ?? '';
    expect(cache).not.toBe('');
    /** One guarded page load with the browser's two cookies; the copy the response sets, if any. */
    const pageLoad = async (): Promise<{ user: string | undefined; renewed: string | undefined }> => {
      const incoming = new NextRequest(new URL('/dashboard', 'http://app.test'), {
        headers: { cookie: `session=${session}; ${CACHE}=${cache}` },
      });
      const response = await guard(incoming);
      const render = renderOf(response, incoming);
      const page = await withSessionRequest({ ...render, readOnly: true }, async () =>
        (await kit.getSession()).get('user'),
      );
      const renewed = response.cookies.get(CACHE)?.value;
      if (renewed !== undefined) cache = renewed;
      return { user: page.result, renewed };
    };
    await pageLoad(); // every script known to the server
    clock.advance(MAX_AGE + 1); // the copy expired: the store answers
    const before = writes;
    const renewing = await pageLoad();
    expect(writes - before, 'the guard’s load, handed to the page').toBe(1);
    expect(renewing.user).toBe('ada');
    expect(renewing.renewed, 'a new copy').toMatch(/\S/);
    const after = writes;
    const served = await pageLoad();
    expect(writes - after, 'served from the new copy').toBe(0);
    expect(served).toEqual({ user: 'ada', renewed: undefined });
  });

  it('a save still goes to the store, and replaces the copy', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await login(h, browser, 'ada');
    const saved = await trips(() =>
      h.request(browser, async (s) => {
        s.set('count', 2);
        await s.save();
      }),
    );
    expect(saved, 'the load from the copy, the save to the store').toBe(1);
    expect(await h.request(browser, (s) => s.get('count')), 'the new copy').toBe(2);
    // Without the copy (another server, a browser that dropped it): the store has it.
    browser.cookies.delete(CACHE);
    expect(await h.request(browser, (s) => s.get('count'))).toBe(2);
  });

  it('a revocation reaches a browser holding a copy within maxAge at most: logout elsewhere, destroyUserSessions, maxSessionsPerUser', async () => {
    const h = kit({ maxSessionsPerUser: 1 });
    const [a, b, c] = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
    await login(h, a, 'ada', 'ada');
    // Logout elsewhere: a copy of a's session cookie (without the cache) logs out.
    c.cookies.set('session', a.cookies.get('session') as string);
    await h.request(c, async (s) => {
      s.clear(); // destroySession()
      await s.save();
    });
    expect(await read(h, a), 'served from the copy until it expires').toBe('ada');
    h.clock.advance(MAX_AGE + 1);
    expect(await read(h, a), 'then signed out').toBeUndefined();

    await login(h, a, 'ada', 'ada');
    await h.engine.storage.users?.destroy('ada', { except: [] }); // destroyUserSessions('ada')
    expect(await read(h, a)).toBe('ada');
    h.clock.advance(MAX_AGE + 1);
    expect(await read(h, a)).toBeUndefined();

    await login(h, a, 'ada', 'ada');
    h.clock.advance(1);
    await login(h, b, 'ada', 'ada'); // limit 1: a's session ends
    expect(await read(h, a)).toBe('ada');
    h.clock.advance(MAX_AGE + 1);
    expect(await read(h, a)).toBeUndefined();
    expect(await read(h, b)).toBe('ada');
  });

  it('a copy serves only the session it was sealed for: swapped between sessions, it is ignored, silently', async () => {
    const h = kit();
    const [a, b] = [new TestBrowser(), new TestBrowser()];
    await login(h, a, 'ada');
    await login(h, b, 'bob');
    b.cookies.set(CACHE, a.cookies.get(CACHE) as string);
    expect(await trips(async () => expect(await read(h, b)).toBe('bob')), 'from the store').toBe(1);
    expect(b.cookies.get(CACHE), 'and replaced').not.toBe(a.cookies.get(CACHE));
    b.cookies.set(CACHE, 'not.a.jwe');
    expect(await read(h, b)).toBe('bob');
    expect(h.invalid, 'the session is fine: nothing to report').toEqual([]);
  });

  it('its key is its own: a session cookie sealed with the same secret and name is no copy, and a copy no session', async () => {
    const clock = new Clock(Date.now());
    const h = kit({ clock });
    const cookieKit = new Harness<Data>(
      { storage: encryptedCookieStorage({ secret: SECRET }), cookieName: CACHE, maxAge: 3600 },
      clock,
    );
    const a = new TestBrowser();
    await login(h, a, 'ada');
    const sealed = new TestBrowser();
    await login(cookieKit, sealed, 'mallory');
    a.cookies.set(CACHE, sealed.cookies.get(CACHE) as string);
    expect(await trips(async () => expect(await read(h, a)).toBe('ada'))).toBe(1);
    const copy = a.cookies.get(CACHE) as string;
    const forged = new TestBrowser();
    forged.cookies.set(CACHE, copy);
    expect(await cookieKit.request(forged, (s) => s.isNew)).toBe(true);
    expect(cookieKit.invalid, 'its key id is no key of the session cookie').toEqual(['unknown-key']);
  });

  it('a copy sealed in the future (another server, clock ahead) is refused', async () => {
    const clock = new Clock(Date.now());
    const h = kit({ clock });
    const a = new TestBrowser();
    await login(h, a, 'ada');
    clock.advance(120);
    await h.request(a, async (s) => {
      s.set('count', 1);
      await s.save(); // sealed at +120 s
    });
    clock.advance(-120);
    expect(await trips(() => read(h, a)), 'from the store').toBe(1);
  });

  it('destroy clears the copy; a login replaces it with one bound to the new token', async () => {
    const h = kit();
    const a = new TestBrowser();
    await login(h, a, 'ada');
    const first = a.cookies.get(CACHE);
    await login(h, a, 'ada2');
    expect(a.cookies.get(CACHE)).not.toBe(first);
    expect(await trips(async () => expect(await read(h, a)).toBe('ada2'))).toBe(0);
    await h.request(a, async (s) => {
      s.clear();
      await s.save();
    });
    expect(a.cookies.has(CACHE)).toBe(false);
    expect(a.cookies.has('session')).toBe(false);
  });

  it('never outlives the session: the copy dies with its absolute expiry', async () => {
    const h = kit({ maxAge: 300, idleTimeout: null });
    const a = new TestBrowser();
    await login(h, a, 'ada');
    h.clock.advance(3600 - 100);
    expect(await read(h, a)).toBe('ada'); // from the store (the copy expired): a new one, for 100 s
    const write = a.lastWrites.find((w) => w.name === CACHE);
    expect(write?.options.maxAge).toBeLessThanOrEqual(100);
    h.clock.advance(106);
    expect(await read(h, a), 'past the end: the copy is not served').toBeUndefined();
  });

  it('is checked at creation, with how to fix it', () => {
    const make = (cookieCache: unknown, idleTimeout?: number) =>
      new Harness({
        storage: redisStorage({
          client: redis,
          cookieCache: cookieCache as { maxAge: number; secret: string },
        }),
        maxAge: 3600,
        idleTimeout,
      });
    expect(() => make({ maxAge: 0, secret: SECRET })).toThrow(/cookieCache.maxAge.*whole number of seconds/);
    expect(() => make({ maxAge: 1.5, secret: SECRET })).toThrow(SessionConfigError);
    expect(() => make({ maxAge: 30 })).toThrow(/cookieCache.secret.*is required/);
    expect(() => make({ maxAge: 30, secret: 'short' })).toThrow(/cookieCache.secret/);
    expect(() => make({ maxAge: 30, secret: SECRET, ttl: 1 })).toThrow(/ttl/);
    expect(() => make(30)).toThrow(/must be an object/);
    expect(() => make({ maxAge: 400, secret: SECRET }, 600)).toThrow(/at most half of `idleTimeout`/);
    expect(() => make({ maxAge: 300, secret: SECRET }, 600)).not.toThrow();
  });
});
