// Step-up: `session.authenticatedAt`, re-authentication with `keepData`,
// the guard's `fresh` paths and `requireFreshSession()`, on every kind of
// storage; and the device listing through the kit as an app calls it.
import { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError, SessionNotFreshError, SessionUnsupportedError } from '../errors.ts';
import { fernetCookieStorage } from '../storage/aiohttp/fernet-cookie.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import type { SessionStorage } from '../storage/types.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { createSessionKit } from './kit.ts';

const SECRET = 'step-up-test-secret-that-is-long-enough-01';
const OLD = 'step-up-test-old-secret-long-enough-00002';
type Data = { user?: string; count?: number };

const storages: Array<[string, () => SessionStorage]> = [
  ['encrypted cookie', () => encryptedCookieStorage({ secret: SECRET })],
  ['simple cookie', () => simpleCookieStorage()],
  ['memory store', () => memoryStorage()],
];

function req(path: string, cookie?: string, headers: Record<string, string> = {}) {
  const all = new Headers(headers);
  if (cookie !== undefined) all.set('cookie', `session=${cookie}`);
  return new NextRequest(new URL(path, 'http://app.test'), { headers: all });
}

describe('session.authenticatedAt', () => {
  for (const [name, storage] of storages) {
    it(`${name}: set by newSession(), kept across saves, idle refreshes and re-authentication with keepData`, async () => {
      const clock = new Clock(Date.now());
      const h = new Harness<Data>({ storage: storage(), idleTimeout: 3600 }, clock);
      const browser = new TestBrowser();
      expect(await h.request(browser, (s) => s.authenticatedAt)).toBeUndefined();
      const signedInAt = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada');
        s.set('user', 'ada');
        await s.save();
        return s.authenticatedAt;
      });
      expect(signedInAt).toBe(clock.now());
      for (let i = 1; i <= 3; i++) {
        clock.advance(1000); // past the touch interval: the idle expiry slides
        await h.request(browser, async (s) => {
          expect(s.authenticatedAt).toBe(signedInAt);
          s.set('count', i);
          await s.save();
        });
      }
      clock.advance(1000);
      await h.request(browser, (s) => s.touch());
      expect(await h.request(browser, (s) => [s.authenticatedAt, s.get('count')])).toEqual([signedInAt, 3]);
      const before = await h.request(browser, (s) => s.id);
      const again = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { keepData: true });
        await s.save();
        return { id: s.id, at: s.authenticatedAt };
      });
      expect(again.at).toBe(clock.now());
      expect(again.id).not.toBe(before);
      expect(
        await h.request(browser, (s) => [s.id, s.authenticatedAt, s.get('user'), s.get('count')]),
      ).toEqual([again.id, clock.now(), 'ada', 3]);
      // Without keepData a sign-in starts empty, as before.
      const fresh = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada');
        s.set('user', 'ada');
        await s.save();
        return s.data;
      });
      expect(fresh).toEqual({ user: 'ada' });
    });
  }

  it('encrypted cookie: kept when the cookie is re-sealed with a new key', async () => {
    const clock = new Clock(Date.now());
    const old = new Harness<Data>({ storage: encryptedCookieStorage({ secret: OLD }) }, clock);
    const browser = new TestBrowser();
    const signedInAt = await old.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada');
      await s.save();
      return s.authenticatedAt;
    });
    clock.advance(60);
    const rotated = new Harness<Data>({ storage: encryptedCookieStorage({ secret: [SECRET, OLD] }) }, clock);
    const kit = createSessionKit<Data>({
      storage: encryptedCookieStorage({ secret: [SECRET, OLD] }),
      now: clock.now,
    });
    const proxy = kit.guard({ protect: ['/settings'], loginPath: '/login' });
    const res = await proxy(req('/settings', browser.cookies.get('session')));
    const resealed = res.cookies.get('session')?.value;
    expect(resealed).toBeDefined();
    expect(resealed).not.toBe(browser.cookies.get('session'));
    browser.cookies.set('session', resealed as string);
    expect(await rotated.request(browser, (s) => s.authenticatedAt)).toBe(signedInAt);
  });

  it('aiohttp formats cannot record it: a reloaded session has none, and no freshness check accepts it', async () => {
    const clock = new Clock(Date.now());
    const h = new Harness<Data>(
      { storage: fernetCookieStorage({ key: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=' }) },
      clock,
    );
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession();
      s.set('user', 'ada');
      await s.save();
    });
    expect(await h.request(browser, (s) => s.authenticatedAt)).toBeUndefined();
  });

  it('a cookie whose sign-in time lies after its creation is refused (it would look fresh forever)', async () => {
    const { decodeEnvelope, encodeEnvelope } = await import('../storage/envelope.ts');
    const now = Date.now();
    const { createSessionId } = await import('../storage/session-id.ts');
    const state = {
      id: createSessionId(now),
      data: {},
      createdAt: now,
      lastActiveAt: now,
      authenticatedAt: now - 5,
    };
    expect(decodeEnvelope(encodeEnvelope(state, true))?.authenticatedAt).toBe(now - 5);
    expect(decodeEnvelope(`[{},${JSON.stringify(state.id)},{"t":-1000}]`)).toBeUndefined();
    expect(decodeEnvelope(`[{},${JSON.stringify(state.id)},{"t":"0"}]`)).toBeUndefined();
  });
});

describe('guard({ fresh })', () => {
  async function signIn(clock: Clock, storage: SessionStorage, cookie?: string) {
    const h = new Harness<Data>({ storage }, clock);
    const browser = new TestBrowser();
    if (cookie !== undefined) browser.cookies.set('session', cookie);
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada', { keepData: cookie !== undefined });
      s.set('user', 'ada');
      await s.save();
    });
    return browser.cookies.get('session') ?? '';
  }

  for (const [name, make] of storages) {
    it(`${name}: a stale sign-in is sent to reauthPath?next=…, API paths get 401 ERR_SESSION_NOT_FRESH; a fresh one passes`, async () => {
      const clock = new Clock(Date.now());
      const storage = make();
      const kit = createSessionKit<Data>({ storage, now: clock.now });
      const proxy = kit.guard({
        protect: ['/dashboard'],
        loginPath: '/login',
        fresh: {
          protect: ['/settings', '/api/account/:path*'],
          maxAge: 300,
          reauthPath: '/login/confirm?why=stale',
        },
      });
      // Signed out: the login page, as for `protect`.
      const out = await proxy(req('/settings/email?x=1'));
      expect(out.status).toBe(307);
      expect(out.headers.get('location')).toBe('http://app.test/login?next=%2Fsettings%2Femail%3Fx%3D1');
      expect((await proxy(req('/api/account/password'))).status).toBe(401);

      let cookie = await signIn(clock, storage);
      expect((await proxy(req('/settings', cookie))).headers.get('x-middleware-next')).toBe('1');
      clock.advance(300);
      expect((await proxy(req('/settings', cookie))).headers.get('x-middleware-next')).toBe('1');
      clock.advance(1);
      const stale = await proxy(req('/settings/email?x=1', cookie));
      expect(stale.status).toBe(307);
      expect(stale.headers.get('location')).toBe(
        'http://app.test/login/confirm?why=stale&next=%2Fsettings%2Femail%3Fx%3D1',
      );
      const api = await proxy(req('/api/account/password', cookie));
      expect(api.status).toBe(401);
      expect(await api.json()).toEqual({ error: 'reauthentication required', code: 'ERR_SESSION_NOT_FRESH' });
      // Other protected paths, and the re-authentication page itself, need no fresh sign-in.
      expect((await proxy(req('/dashboard', cookie))).headers.get('x-middleware-next')).toBe('1');
      expect((await proxy(req('/login/confirm', cookie))).headers.get('x-middleware-next')).toBe('1');
      // Re-authenticated (keepData): fresh again.
      cookie = await signIn(clock, storage, cookie);
      expect((await proxy(req('/settings/email', cookie))).headers.get('x-middleware-next')).toBe('1');
    });
  }

  it('an anonymous session, or one that never went through newSession(), is never fresh', async () => {
    const clock = new Clock(Date.now());
    const storage = encryptedCookieStorage({ secret: SECRET });
    const kit = createSessionKit<Data>({ storage, now: clock.now });
    const proxy = kit.guard({
      protect: ['/dashboard'],
      loginPath: '/login',
      fresh: { protect: ['/settings'], maxAge: 300, reauthPath: '/reauth' },
    });
    const h = new Harness<Data>({ storage }, clock);
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const res = await proxy(req('/settings', browser.cookies.get('session')));
    expect(res.headers.get('location')).toBe('http://app.test/login?next=%2Fsettings');
  });

  it('matches fresh paths as protect does: every spelling, and control characters fail closed', async () => {
    const clock = new Clock(Date.now());
    const storage = encryptedCookieStorage({ secret: SECRET });
    const kit = createSessionKit<Data>({ storage, now: clock.now });
    const proxy = kit.guard({
      protect: [],
      loginPath: '/login',
      fresh: { protect: ['/settings'], maxAge: 60, reauthPath: '/reauth' },
    });
    const cookie = await signIn(clock, storage);
    clock.advance(61);
    for (const path of [
      '/settings',
      '/Settings/../settings/x',
      '/%73ettings',
      '/settings/',
      '/x/%0A',
      '/settings//a',
    ]) {
      const res = await proxy(req(path, cookie));
      expect(res.status, path).toBe(307);
      expect(new URL(res.headers.get('location') ?? '').pathname, path).toBe('/reauth');
    }
    for (const path of ['/reauth', '/%72eauth', '/reauth/', '/public', '/settingsx']) {
      expect((await proxy(req(path, cookie))).headers.get('x-middleware-next'), path).toBe('1');
    }
  });

  it('rejects bad fresh options at creation', () => {
    const kit = createSessionKit({ storage: encryptedCookieStorage({ secret: SECRET }) });
    const base = { protect: ['/a'], loginPath: '/login' };
    const bad: unknown[] = [
      null,
      { protect: ['/s'], maxAge: 0, reauthPath: '/r' },
      { protect: ['/s'], maxAge: 1.5, reauthPath: '/r' },
      { protect: ['/s'], maxAge: 60, reauthPath: '//evil.example' },
      { protect: ['/s'], maxAge: 60 },
      { protect: ['s'], maxAge: 60, reauthPath: '/r' },
      { protect: ['/s'], maxAge: 60, reauthPath: '/r', maxage: 5 },
    ];
    for (const fresh of bad) {
      expect(() => kit.guard({ ...base, fresh } as never), JSON.stringify(fresh)).toThrow(SessionConfigError);
    }
  });
});

describe('requireFreshSession()', () => {
  for (const [name, make] of storages) {
    it(`${name}: returns a fresh session, throws SessionNotFreshError for a stale or signed-out one`, async () => {
      const clock = new Clock(Date.now());
      const kit = createSessionKit<Data>({ storage: make(), now: clock.now });
      const out = await withSessionRequest({}, () => kit.requireFreshSession({ maxAge: 300 })).catch(
        (e) => e,
      );
      expect(out).toBeInstanceOf(SessionNotFreshError);
      expect(out).toMatchObject({ code: 'ERR_SESSION_NOT_FRESH' });
      const { cookies } = await withSessionRequest({}, async () => {
        const s = await kit.newSession({ userId: 'ada' });
        s.set('user', 'ada');
        await s.save();
      });
      clock.advance(300);
      const ok = await withSessionRequest(
        { cookies },
        async () => (await kit.requireFreshSession({ maxAge: 300 })).userId,
      );
      expect(ok.result).toBe('ada');
      clock.advance(1);
      const stale = await withSessionRequest({ cookies }, () =>
        kit.requireFreshSession({ maxAge: 300 }),
      ).catch((e) => e);
      expect(stale).toBeInstanceOf(SessionNotFreshError);
      await expect(
        withSessionRequest({ cookies }, () => kit.requireFreshSession({} as never)),
      ).rejects.toThrow(SessionConfigError);
    });
  }
});

describe('listUserSessions() and destroyUserSessions() through the kit', () => {
  it('marks this device, records its browser, and ends exactly one device with { only }', async () => {
    const clock = new Clock(Date.now());
    const kit = createSessionKit<Data>({ storage: memoryStorage(), now: clock.now });
    const signIn = (agent: string) =>
      withSessionRequest({ headers: { 'user-agent': agent } }, async () => {
        const s = await kit.newSession({ userId: 'ada' });
        s.set('user', 'ada');
        await s.save();
        return s.id;
      });
    const laptop = await signIn('Laptop/1.0');
    clock.advance(1);
    const phone = await signIn('Phone/2.0');
    const listed = await withSessionRequest({ cookies: laptop.cookies }, () => kit.listUserSessions('ada'));
    expect(listed.result?.map((s) => [s.ref, s.current, s.userAgent])).toEqual([
      [phone.result, false, 'Phone/2.0'],
      [laptop.result, true, 'Laptop/1.0'],
    ]);
    const ended = await withSessionRequest({ cookies: laptop.cookies }, () =>
      kit.destroyUserSessions('ada', { only: [phone.result as string] }),
    );
    expect(ended.result).toBe(1);
    const left = await withSessionRequest({ cookies: laptop.cookies }, () => kit.listUserSessions('ada'));
    expect(left.result?.map((s) => s.ref)).toEqual([laptop.result]);
    for (const options of [{ only: [1] }, { only: 'x' }, { only: [], except: [] }, { everything: true }]) {
      await expect(
        withSessionRequest({}, () => kit.destroyUserSessions('ada', options as never)),
        JSON.stringify(options),
      ).rejects.toThrow(SessionConfigError);
    }
  });

  it('cookie storages refuse device listing with SessionUnsupportedError', async () => {
    const kit = createSessionKit<Data>({ storage: encryptedCookieStorage({ secret: SECRET }) });
    await expect(withSessionRequest({}, () => kit.listUserSessions('ada'))).rejects.toThrow(
      SessionUnsupportedError,
    );
    await expect(
      withSessionRequest({}, () => kit.destroyUserSessions('ada', { only: ['x'] })),
    ).rejects.toThrow(SessionUnsupportedError);
  });

  it('rejects bad devices options at creation', () => {
    for (const devices of [null, { userAgent: 'yes' }, { ip: 'x-real-ip' }, { ua: false }]) {
      expect(
        () => createSessionKit({ storage: memoryStorage(), devices: devices as never }),
        JSON.stringify(devices),
      ).toThrow(SessionConfigError);
    }
  });
});
