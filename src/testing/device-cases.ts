import { describe, expect } from 'vitest';
import { sha256Base64url } from '../storage/store/token.ts';
import { CookieBrowser, type KitRunner } from './kit-runner.ts';
import { recording } from './recording.ts';
import { casesOf, cookieOf, type Suite, setUp } from './suite-setup.ts';
import { refOf } from './user-cases.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

/** Signs `browser` in as `user` from a device with these request headers. */
function signIn(h: KitRunner, browser: CookieBrowser, user: string, headers: HeadersInit = {}) {
  return h.request(browser, async (_s, { newSession }) => {
    const s = newSession(user, { headers });
    s.set('user', user);
    await s.save();
    return s.authenticatedAt;
  });
}

/**
 * "Your devices": what a sign-in records (times, user agent, address), how
 * a listing shows it, and ending exactly one device's session; plus the
 * sign-in time a freshness check reads, across saves and re-authentication.
 */
export function deviceCases(suite: Suite): void {
  const test = casesOf(suite);

  describe('devices and sign-in time', () => {
    test('a listing shows each device: times, user agent, address, and a public ref that is not the cookie', async () => {
      const setup = await setUp(suite);
      const h = setup.kit({
        idleTimeout: 3600,
        devices: { ip: (headers) => headers.get('x-real-ip') ?? undefined },
      });
      const [laptop, phone] = [new CookieBrowser(), new CookieBrowser()];
      const signedInAt = await signIn(h, laptop, 'ada', {
        'user-agent': FIREFOX,
        'x-real-ip': '203.0.113.7',
      });
      expect(signedInAt).toBe(h.clock.now());
      h.clock.advance(5);
      await signIn(h, phone, 'ada', { 'user-agent': `${SAFARI}\u00e9${'x'.repeat(400)}` });
      const listed = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(listed.map((s) => s.ref)).toEqual([await refOf(h, phone), await refOf(h, laptop)]);
      const [phoneInfo, laptopInfo] = listed;
      expect(laptopInfo).toEqual({
        ref: await refOf(h, laptop),
        current: false,
        createdAt: signedInAt,
        lastSeenAt: signedInAt,
        expiresAt: (signedInAt as number) + 3_600_000,
        authenticatedAt: signedInAt,
        userAgent: FIREFOX,
        ip: '203.0.113.7',
      });
      // Header values are the client's: printable, and truncated.
      expect(phoneInfo?.userAgent).toBe(`${SAFARI}${'x'.repeat(400)}`.slice(0, 256));
      expect(phoneInfo?.ip).toBeUndefined();
      for (const browser of [laptop, phone]) {
        const token = cookieOf(browser);
        const refs = listed.map((s) => s.ref);
        expect(refs).not.toContain(token);
        expect(refs).not.toContain(await sha256Base64url(token));
        expect(JSON.stringify(listed)).not.toContain(token);
      }
    });

    test('`devices: { userAgent: false }` records no user agent; no `ip` function records no address', async () => {
      const h = (await setUp(suite)).kit({ devices: { userAgent: false } });
      const browser = new CookieBrowser();
      await signIn(h, browser, 'ada', { 'user-agent': FIREFOX, 'x-real-ip': '203.0.113.7' });
      const [info] = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(info).toBeDefined();
      expect(info).not.toHaveProperty('userAgent');
      expect(info).not.toHaveProperty('ip');
    });

    test('last seen moves at most once per touch interval, and reads in between write nothing', async () => {
      const setup = await setUp(suite);
      const recorded = recording(setup.adapter);
      const h = setup.kit({ maxAge: 86_400, idleTimeout: 3600 }, {}, recorded.adapter);
      const browser = new CookieBrowser();
      const signedInAt = await signIn(h, browser, 'ada', { 'user-agent': FIREFOX });
      const lastSeen = async () => ((await h.engine.storage.users?.list('ada')) ?? [])[0]?.lastSeenAt;
      // The touch interval is a tenth of idleTimeout: 360 s.
      h.clock.advance(300);
      recorded.calls.length = 0;
      await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
      expect(recorded.calls.map((c) => c.method)).toEqual(['get']);
      expect(await lastSeen()).toBe(signedInAt);
      h.clock.advance(61);
      await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
      expect(await lastSeen()).toBe(h.clock.now());
      const [info] = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(info).toMatchObject({ createdAt: signedInAt, authenticatedAt: signedInAt, userAgent: FIREFOX });
    });

    test('the sign-in time and device survive saves, clears and idle refreshes', async () => {
      const h = (await setUp(suite)).kit({ idleTimeout: 3600 }, { touchAfter: 0 });
      const browser = new CookieBrowser();
      const signedInAt = await signIn(h, browser, 'ada', { 'user-agent': FIREFOX });
      h.clock.advance(30);
      await h.request(browser, async (s) => {
        s.set('count', 1);
        await s.save();
      });
      h.clock.advance(30);
      await h.request(browser, async (s) => {
        s.clear();
        s.set('user', 'ada');
        await s.save();
      });
      h.clock.advance(30);
      const seen = await h.request(browser, (s) => s.authenticatedAt);
      expect(seen).toBe(signedInAt);
      const [info] = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(info).toMatchObject({
        authenticatedAt: signedInAt,
        userAgent: FIREFOX,
        lastSeenAt: h.clock.now(),
      });
    });

    test('re-authentication with `keepData`: a new identity, signed in now, with the data carried over', async () => {
      const h = (await setUp(suite)).kit();
      const browser = new CookieBrowser();
      await signIn(h, browser, 'ada');
      await h.request(browser, async (s) => {
        s.set('count', 7);
        await s.save();
      });
      const before = await refOf(h, browser);
      const oldCookie = cookieOf(browser);
      h.clock.advance(600);
      const result = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada', { keepData: true });
        await s.save();
        return { authenticatedAt: s.authenticatedAt, count: s.get('count'), user: s.get('user') };
      });
      expect(result).toEqual({ authenticatedAt: h.clock.now(), count: 7, user: 'ada' });
      expect(cookieOf(browser)).not.toBe(oldCookie);
      const listed = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(listed.map((s) => s.ref)).toEqual([await refOf(h, browser)]);
      expect(listed[0]?.ref).not.toBe(before);
      expect(listed[0]?.authenticatedAt).toBe(h.clock.now());
      // The old identity is gone: its cookie no longer loads.
      const stale = new CookieBrowser();
      stale.cookies.set('session', oldCookie);
      expect(await h.request(stale, (s) => s.isNew)).toBe(true);
    });

    test('`only` ends exactly the sessions named; a ref of another user’s session ends nothing', async () => {
      const h = (await setUp(suite)).kit();
      const [laptop, phone, tablet, bobs] = [
        new CookieBrowser(),
        new CookieBrowser(),
        new CookieBrowser(),
        new CookieBrowser(),
      ];
      for (const browser of [laptop, phone, tablet]) await signIn(h, browser, 'ada');
      await signIn(h, bobs, 'bob');
      const users = h.engine.storage.users;
      const bobRef = await refOf(h, bobs);
      expect(await users?.destroy('ada', { only: [bobRef, 'AAAAAAAAAAAA', cookieOf(laptop)] })).toBe(0);
      expect(await h.request(bobs, (s) => s.get('user'))).toBe('bob');
      expect(await users?.destroy('ada', { only: [await refOf(h, phone)] })).toBe(1);
      expect(await h.request(phone, (s) => s.isNew)).toBe(true);
      expect(await h.request(laptop, (s) => s.get('user'))).toBe('ada');
      expect(await h.request(tablet, (s) => s.get('user'))).toBe('ada');
      expect(await users?.destroy('ada', { only: [] })).toBe(0);
      expect((await users?.list('ada'))?.length).toBe(2);
    });
  });
}
