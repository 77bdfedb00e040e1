import { Redis } from 'ioredis';
import { NextRequest } from 'next/server.js';
import { afterAll, afterEach, describe, expect, inject, it, vi } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { redisStorage } from '../entries/redis.ts';
import { withSessionRequest } from '../entries/testing.ts';
import { SNAPSHOT_HEADER, SNAPSHOT_HEADER_VALUE } from '../live/protocol.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import type { BoundStorage, SessionStorage } from '../storage/types.ts';
import { Clock } from '../test-utils/harness.ts';
import { renderOf } from '../test-utils/proxy-render.ts';
import { HAND_OFF_HEADER } from './hand-off.ts';
import { createSessionKit, type SessionKit } from './kit.ts';

const SECRET = 'hand-off-test-secret-that-is-long-enough-01';
type Data = { user?: string; count?: number };

/** The encrypted-cookie storage, handed off like a store, counting how many cookies it opens (decrypts). */
function countingStorage(secret = SECRET, handedOffLikeAStore = true) {
  const inner = encryptedCookieStorage({ secret });
  const counter = { loads: 0 };
  const storage: SessionStorage = {
    name: inner.name,
    create(context) {
      const bound = inner.create(context);
      return new Proxy(bound, {
        get(target, key, receiver) {
          // Handed off on every guarded request, as a store's session is: these
          // tests count the hand-off's decrypts. The cookie storages themselves
          // hand off only when the proxy forwards headers anyway (guard.test.ts).
          if (key === 'loadsFromCookie' && handedOffLikeAStore) return false;
          if (key !== 'load') return Reflect.get(target, key, receiver);
          return (value: string) => {
            counter.loads++;
            return target.load(value);
          };
        },
      }) as BoundStorage;
    },
  };
  return { storage, counter };
}

function setup(idleTimeout?: number) {
  const { storage, counter } = countingStorage();
  const clock = new Clock(Date.now());
  const idle = idleTimeout === undefined ? {} : { idleTimeout };
  const kit = createSessionKit<Data>({ storage, now: clock.now, ...idle });
  const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
  return { kit, guard, counter, clock };
}

async function login(kit: SessionKit<Data>): Promise<string> {
  const res = await withSessionRequest({}, async () => {
    const s = await kit.newSession({ userId: 'ada' });
    s.set('user', 'ada');
    await s.save();
  });
  return res.cookies.session ?? '';
}

function request(path: string, cookie: string | undefined, headers: Record<string, string> = {}) {
  const all = new Headers(headers);
  if (cookie !== undefined) all.set('cookie', `session=${cookie}`);
  return new NextRequest(new URL(path, 'http://app.test'), { headers: all });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('hand-off: the render takes the session the guard loaded', () => {
  it('one decrypt per guarded request: the page reads the guard’s session', async () => {
    const { kit, guard, counter } = setup();
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie);
    counter.loads = 0;
    const render = renderOf(await guard(incoming), incoming);
    const page = await withSessionRequest({ ...render, readOnly: true }, async () => {
      const s = await kit.getSession();
      // The memo per request is unchanged: one object for every call.
      expect(await kit.getSession()).toBe(s);
      return s.get('user');
    });
    expect(page.result).toBe('ada');
    expect(counter.loads, 'the guard decrypted; the render did not').toBe(1);
  });

  it('the encrypted-cookie storage itself, nothing written: no hand-off, the render decrypts the cookie (cheaper than forwarding the headers)', async () => {
    const { storage, counter } = countingStorage(SECRET, false);
    const kit = createSessionKit<Data>({ storage });
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie);
    counter.loads = 0;
    const render = renderOf(await guard(incoming), incoming);
    expect(render.headers.get(HAND_OFF_HEADER)).toBeNull();
    const page = await withSessionRequest({ ...render, readOnly: true }, async () =>
      (await kit.getSession()).get('user'),
    );
    expect(page.result).toBe('ada');
    expect(counter.loads, 'the guard decrypted, then the render').toBe(2);
  });

  it('the render sees the guard’s post-commit state (a re-issued cookie), and a save from it is a normal save', async () => {
    const { kit, guard, counter, clock } = setup(600);
    const cookie = await login(kit);
    clock.advance(120); // past the touch interval: the guard re-issues the cookie
    const incoming = request('/dashboard', cookie);
    const res = await guard(incoming);
    const render = renderOf(res, incoming);
    expect(render.cookies.session).not.toBe(cookie);
    counter.loads = 0;
    const action = await withSessionRequest(render, async () => {
      const s = await kit.getSession();
      s.set('count', 1);
      await s.save();
      return s.data;
    });
    expect(counter.loads).toBe(0);
    expect(action.result).toEqual({ user: 'ada', count: 1 });
    const next = await withSessionRequest(
      { cookies: action.cookies },
      async () => (await kit.getSession()).data,
    );
    expect(next.result).toEqual({ user: 'ada', count: 1 });
  });

  it('proxySession().next() hands the session over as the guard does', async () => {
    const { kit, counter } = setup();
    const cookie = await login(kit);
    const incoming = request('/x', cookie);
    const { next } = await kit.proxySession(incoming);
    const render = renderOf(await next(), incoming);
    counter.loads = 0;
    const page = await withSessionRequest(render, async () => (await kit.getSession()).get('user'));
    expect(page.result).toBe('ada');
    expect(counter.loads).toBe(0);
  });

  it('hasSession() takes the hand-off, and getSession() after it uses the same session', async () => {
    const { kit, guard, counter } = setup();
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie);
    const render = renderOf(await guard(incoming), incoming);
    counter.loads = 0;
    await withSessionRequest({ ...render, readOnly: true }, async () => {
      expect(await kit.hasSession()).toBe(true);
      expect((await kit.getSession()).get('user')).toBe('ada');
    });
    expect(counter.loads).toBe(0);
  });

  it('is taken once: a second request with the same id loads as usual', async () => {
    const { kit, guard, counter } = setup();
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie);
    const render = renderOf(await guard(incoming), incoming);
    await withSessionRequest(render, async () => (await kit.getSession()).get('user'));
    counter.loads = 0;
    const replay = await withSessionRequest(render, async () => (await kit.getSession()).get('user'));
    expect(replay.result).toBe('ada');
    expect(counter.loads, 'loaded from the cookie again').toBe(1);
  });

  it('expires within seconds: a render that starts later loads as usual', async () => {
    const { kit, guard, counter } = setup();
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie);
    const render = renderOf(await guard(incoming), incoming);
    const start = performance.now();
    vi.spyOn(performance, 'now').mockReturnValue(start + 60_000);
    counter.loads = 0;
    await withSessionRequest(render, async () => (await kit.getSession()).get('user'));
    expect(counter.loads).toBe(1);
  });
});

describe('hand-off: unforgeable', () => {
  it('an id the client sends to the guard is overwritten when a session is handed over', async () => {
    const { kit, guard } = setup();
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie, { [HAND_OFF_HEADER]: 'f'.repeat(32) });
    const render = renderOf(await guard(incoming), incoming);
    const forwarded = render.headers.get(HAND_OFF_HEADER);
    expect(forwarded).toMatch(/^[0-9a-f]{32}$/);
    expect(forwarded).not.toBe('f'.repeat(32));
  });

  it('an id the client sends to the guard is removed when nothing is handed over', async () => {
    const { guard } = setup();
    const incoming = request('/about', undefined, { [HAND_OFF_HEADER]: 'f'.repeat(32) });
    const res = await guard(incoming);
    expect(res.headers.get('x-middleware-override-headers')).not.toBeNull();
    expect(renderOf(res, incoming).headers.has(HAND_OFF_HEADER)).toBe(false);
  });

  it('an id the client sends with a snapshot fetch the guard passes on unread is removed too', async () => {
    const { kit, guard } = setup();
    const cookie = await login(kit);
    const incoming = request('/api/session-snapshot', cookie, {
      [SNAPSHOT_HEADER]: SNAPSHOT_HEADER_VALUE,
      [HAND_OFF_HEADER]: 'f'.repeat(32),
    });
    const res = await guard(incoming);
    expect(res.headers.get('x-middleware-override-headers')).not.toBeNull();
    expect(renderOf(res, incoming).headers.has(HAND_OFF_HEADER)).toBe(false);
  });

  it('another request’s id, sent without the proxy, gives the sender nothing: their own cookie decides', async () => {
    const { kit, guard, counter } = setup();
    const ada = await login(kit);
    // Ada's request passed the guard; its id leaked (say, a log).
    const incoming = request('/dashboard', ada);
    const id = renderOf(await guard(incoming), incoming).headers.get(HAND_OFF_HEADER) ?? '';
    expect(id).not.toBe('');
    counter.loads = 0;
    // A request that skipped the proxy, with Ada's id and no cookie (or another one).
    const anonymous = await withSessionRequest({ headers: { [HAND_OFF_HEADER]: id } }, async () => {
      const s = await kit.getSession();
      return { isNew: s.isNew, user: s.get('user') };
    });
    expect(anonymous.result).toEqual({ isNew: true, user: undefined });
    const mallory = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: 'mallory' });
      s.set('user', 'mallory');
      await s.save();
    });
    const other = await withSessionRequest(
      { cookies: mallory.cookies, headers: { [HAND_OFF_HEADER]: id } },
      async () => (await kit.getSession()).get('user'),
    );
    expect(other.result).toBe('mallory');
    expect(counter.loads, 'mallory’s own cookie was opened').toBe(1);
  });

  it('a made-up id, with no proxy at all, loads as usual', async () => {
    const { kit, counter } = setup();
    const cookie = await login(kit);
    counter.loads = 0;
    const res = await withSessionRequest(
      { cookies: { session: cookie }, headers: { [HAND_OFF_HEADER]: '0'.repeat(32) } },
      async () => (await kit.getSession()).get('user'),
    );
    expect(res.result).toBe('ada');
    expect(counter.loads).toBe(1);
  });

  it('is used only with exactly the cookie it was loaded from', async () => {
    const { kit, guard, counter } = setup();
    const ada = await login(kit);
    const incoming = request('/dashboard', ada);
    const render = renderOf(await guard(incoming), incoming);
    const grace = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: 'grace' });
      s.set('user', 'grace');
      await s.save();
    });
    counter.loads = 0;
    const swapped = await withSessionRequest({ headers: render.headers, cookies: grace.cookies }, async () =>
      (await kit.getSession()).get('user'),
    );
    expect(swapped.result).toBe('grace');
    expect(counter.loads).toBe(1);
  });

  it('a request the proxy passed on without a session cookie hands nothing over', async () => {
    const { guard } = setup();
    const incoming = request('/about', undefined);
    const res = await guard(incoming);
    expect(renderOf(res, incoming).headers.has(HAND_OFF_HEADER)).toBe(false);
  });
});

describe('hand-off: only the kit that loaded the session takes it', () => {
  const OTHER_SECRET = 'hand-off-test-other-secret-long-enough-02';
  let redis: Redis | undefined;

  afterAll(() => redis?.disconnect());

  function redisClient(): Redis {
    redis ??= new Redis(inject('servers').redis.url, { maxRetriesPerRequest: 1 });
    return redis;
  }

  /** Ada signs in with `kit`; its guard loads her session; the forwarded request. */
  async function guardedBy(kit: SessionKit<Data>) {
    const cookie = await login(kit);
    const incoming = request('/dashboard', cookie);
    const render = renderOf(
      await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(incoming),
      incoming,
    );
    expect(render.headers.get(HAND_OFF_HEADER)).toMatch(/^[0-9a-f]{32}$/);
    return render;
  }

  const read = (kit: SessionKit<Data>, render: { headers: Headers; cookies: Record<string, string> }) =>
    withSessionRequest({ ...render, readOnly: true }, async () => {
      const s = await kit.getSession();
      return { isNew: s.isNew, user: s.get('user') ?? null };
    });

  it('same storage name and cookie name, another secret: the other kit loads the cookie itself (and cannot open it)', async () => {
    const a = createSessionKit<Data>({ storage: countingStorage().storage });
    const { storage, counter } = countingStorage(OTHER_SECRET);
    const b = createSessionKit<Data>({ storage });
    const render = await guardedBy(a);
    expect((await read(b, render)).result).toEqual({ isNew: true, user: null });
    expect(counter.loads, 'kit b opened the cookie with its own key').toBe(1);
    // The entry stays for its own kit, in the same render.
    expect((await read(a, render)).result).toEqual({ isNew: false, user: 'ada' });
  });

  it('same storage name, cookie name and secret, another store (key prefix, or another memory store): never the other store’s session', async () => {
    const prefix = uniquePrefix('hand-off');
    const pairs: Array<[SessionStorage, SessionStorage]> = [
      [
        redisStorage({ client: redisClient(), keyPrefix: `${prefix}a:` }),
        redisStorage({ client: redisClient(), keyPrefix: `${prefix}b:` }),
      ],
      [memoryStorage(), memoryStorage()],
    ];
    for (const [first, second] of pairs) {
      const a = createSessionKit<Data>({ storage: first });
      const b = createSessionKit<Data>({ storage: second });
      const render = await guardedBy(a);
      expect((await read(b, render)).result, second.name).toEqual({ isNew: true, user: null });
      expect((await read(a, render)).result, first.name).toEqual({ isNew: false, user: 'ada' });
    }
  });

  it('the same kit built twice from the same options (proxy.ts and the app are separate bundles) does take it', async () => {
    const { storage, counter } = countingStorage();
    const proxyKit = createSessionKit<Data>({ storage });
    const appKit = createSessionKit<Data>({ storage });
    const render = await guardedBy(proxyKit);
    counter.loads = 0;
    expect((await read(appKit, render)).result).toEqual({ isNew: false, user: 'ada' });
    expect(counter.loads, 'no second decrypt').toBe(0);

    const prefix = uniquePrefix('hand-off');
    const proxyStore = createSessionKit<Data>({
      storage: redisStorage({ client: redisClient(), keyPrefix: prefix }),
    });
    const appStore = createSessionKit<Data>({
      storage: redisStorage({ client: redisClient(), keyPrefix: prefix }),
    });
    const stored = await guardedBy(proxyStore);
    expect((await read(appStore, stored)).result).toEqual({ isNew: false, user: 'ada' });
    // Taken: a replay loads from the store, and still finds Ada.
    expect((await read(appStore, stored)).result).toEqual({ isNew: false, user: 'ada' });
  });
});
