import { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError } from '../errors.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import {
  ACTION_REDIRECT_RENDER,
  DOCUMENT,
  RACING,
  type RequestShape,
  ROUTER_FETCH,
  SCRIPT_FETCH,
  SERVER_ACTION,
  SETTLED,
} from '../test-utils/request-shapes.ts';
import { HAND_OFF_HEADER } from './hand-off.ts';
import { createSessionKit } from './kit.ts';

const SECRET = 'guard-test-secret-that-is-long-enough-001';
const OLD = 'guard-test-old-secret-long-enough-000002';
type Data = { user?: string; role?: string };

function setup(options: { idleTimeout?: number; secret?: string | string[] } = {}) {
  const clock = new Clock(Date.now());
  const secret = options.secret ?? SECRET;
  const idle = options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout };
  const kit = createSessionKit<Data>({
    storage: encryptedCookieStorage({ secret }),
    now: clock.now,
    ...idle,
  });
  return { clock, kit, idle };
}

async function signedIn(
  clock: Clock,
  user: string,
  secret: string | string[] = SECRET,
  idle = {},
  role?: string,
) {
  const h = new Harness<Data>({ storage: encryptedCookieStorage({ secret }), ...idle }, clock);
  const browser = new TestBrowser();
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession(user);
    s.set('user', user);
    if (role) s.set('role', role);
    await s.save();
  });
  return browser.cookies.get('session') ?? '';
}

/** Ada's cookie right after a login that left the flash message "Welcome back". */
async function signedInWithFlash(clock: Clock) {
  const h = new Harness<Data>({ storage: encryptedCookieStorage({ secret: SECRET }) }, clock);
  const browser = new TestBrowser();
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession('ada');
    s.set('user', 'ada');
    s.flash('notice', 'Welcome back');
    await s.save();
  });
  return { h, browser };
}

function req(
  path: string,
  cookie?: string,
  init: { method?: string; headers?: Record<string, string>; basePath?: string } = {},
) {
  const headers = new Headers(init.headers);
  if (cookie !== undefined) headers.set('cookie', `session=${cookie}`);
  // As Next builds it for proxy.ts: the URL parser keeps "%0A" encoded, and
  // nextUrl.pathname leaves out the basePath.
  const nextConfig = init.basePath === undefined ? {} : { nextConfig: { basePath: init.basePath } };
  return new NextRequest(new URL(path, 'http://app.test'), {
    method: init.method ?? 'GET',
    headers,
    ...nextConfig,
  });
}

describe('guard()', () => {
  it('redirects an unauthenticated page request to the login page with next', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const res = await proxy(req('/dashboard/reports?range=7d'));
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.pathname).toBe('/login');
    expect(location.searchParams.get('next')).toBe('/dashboard/reports?range=7d');
  });

  it('answers 401 JSON under /api and lets unprotected paths through untouched', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/api/private/:path*', '/dashboard'], loginPath: '/login' });
    const api = await proxy(req('/api/private/x'));
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({ error: 'unauthenticated' });
    const open = await proxy(req('/about'));
    expect(open.headers.get('x-middleware-next')).toBe('1');
    expect(open.headers.get('set-cookie')).toBeNull();
    const login = await proxy(req('/login'));
    expect(login.headers.get('x-middleware-next')).toBe('1');
  });

  it('lets a signed-in session through, writing nothing when nothing is due', async () => {
    const { kit, clock } = setup();
    const cookie = await signedIn(clock, 'ada');
    const res = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(req('/dashboard', cookie));
    expect(res.headers.get('x-middleware-next')).toBe('1');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('an anonymous session (no userId) is not signed in', async () => {
    const { kit, clock } = setup();
    const h = new Harness<Data>({ storage: encryptedCookieStorage({ secret: SECRET }) }, clock);
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'not-really');
      await s.save();
    });
    const res = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(
      req('/dashboard', browser.cookies.get('session')),
    );
    expect(res.status).toBe(307);
  });

  it('a failing authorize gives 403', async () => {
    const { kit, clock } = setup();
    const proxy = kit.guard({
      protect: ['/admin', '/api/admin'],
      loginPath: '/login',
      authorize: (s) => s.get('role') === 'admin',
    });
    const user = await signedIn(clock, 'ada');
    expect((await proxy(req('/admin', user))).status).toBe(403);
    expect((await proxy(req('/api/admin', user))).status).toBe(403);
    const admin = await signedIn(clock, 'root', SECRET, {}, 'admin');
    expect((await proxy(req('/admin', admin))).headers.get('x-middleware-next')).toBe('1');
  });

  it('re-issues an idle-due cookie to the response and to the forwarded request', async () => {
    const { kit, clock, idle } = setup({ idleTimeout: 1000 });
    const cookie = await signedIn(clock, 'ada', SECRET, idle);
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    clock.advance(50); // < 100 s refresh interval
    expect((await proxy(req('/dashboard', cookie))).headers.get('set-cookie')).toBeNull();
    clock.advance(60);
    const res = await proxy(req('/anywhere', cookie));
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^session=[^;]+; /);
    const fresh = /^session=([^;]+)/.exec(setCookie)?.[1] ?? '';
    expect(fresh).not.toBe(cookie);
    expect(res.headers.get('x-middleware-request-cookie') ?? '').toContain(fresh);
    clock.advance(950); // idle for 950 s since the refresh, 1060 s since login
    const still = await proxy(req('/dashboard', fresh));
    expect(still.headers.get('x-middleware-next')).toBe('1');
  });

  it('a browser-session cookie (persistent: false) stays one through the idle refresh and re-sealing', async () => {
    const clock = new Clock(Date.now());
    const idle = { idleTimeout: 1000 };
    const kit = createSessionKit<Data>({
      storage: encryptedCookieStorage({ secret: [SECRET, OLD] }),
      now: clock.now,
      ...idle,
    });
    const h = new Harness<Data>({ storage: encryptedCookieStorage({ secret: OLD }), ...idle }, clock);
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada', { persistent: false });
      s.set('user', 'ada');
      await s.save();
    });
    const cookie = browser.cookies.get('session') ?? '';
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    // Sealed with the older key: re-sealed now; then idle-due: re-issued.
    for (const advance of [0, 200]) {
      clock.advance(advance);
      const res = await proxy(req('/dashboard', cookie));
      expect(res.headers.get('x-middleware-next')).toBe('1');
      const setCookie = res.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/^session=[^;]+; /);
      // The session cookie itself (chunk cookies being cleared follow it, expired).
      const own = setCookie.split(/, (?=session\.\d+=)/)[0] ?? '';
      expect(own).not.toMatch(/Max-Age|Expires/i);
    }
  });

  it('re-seals a cookie sealed with an older key', async () => {
    const { kit, clock } = setup({ secret: [SECRET, OLD] });
    const cookie = await signedIn(clock, 'ada', OLD);
    const res = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(req('/dashboard', cookie));
    expect(res.headers.get('x-middleware-next')).toBe('1');
    const fresh = /^session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const kid = (t: string) => JSON.parse(Buffer.from(t.split('.')[0] ?? '', 'base64url').toString()).kid;
    expect(fresh).not.toBe('');
    expect(kid(fresh)).not.toBe(kid(cookie));
  });

  it('clears a rejected cookie', async () => {
    const { kit } = setup();
    const res = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(
      req('/dashboard', 'garbage'),
    );
    expect(res.status).toBe(307);
    expect(res.headers.get('set-cookie')).toMatch(/^session=; .*Max-Age=0/);
  });

  it('csrf: refuses state-changing cross-site requests with 403', async () => {
    const { kit, clock } = setup();
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login', csrf: true });
    const cookie = await signedIn(clock, 'ada');
    const evil = { origin: 'https://evil.example' };
    expect((await proxy(req('/dashboard', cookie, { method: 'POST', headers: evil }))).status).toBe(403);
    expect((await proxy(req('/api/x', cookie, { method: 'POST', headers: evil }))).status).toBe(403);
    const same = { origin: 'http://app.test' };
    const ok = await proxy(req('/dashboard', cookie, { method: 'POST', headers: same }));
    expect(ok.headers.get('x-middleware-next')).toBe('1');
    expect((await proxy(req('/dashboard', cookie, { headers: evil }))).headers.get('x-middleware-next')).toBe(
      '1',
    );
  });

  it('rejects bad options at creation', () => {
    const { kit } = setup();
    expect(() => kit.guard({ protect: ['dashboard'], loginPath: '/login' })).toThrow(SessionConfigError);
    for (const loginPath of [
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      'login',
      '/log in',
      '/login#x',
      '/login\n',
    ]) {
      expect(() => kit.guard({ protect: ['/d'], loginPath }), loginPath).toThrow(SessionConfigError);
    }
    expect(() => kit.guard({ protect: ['/d'], loginPath: '/login', protected: 1 } as never)).toThrow(
      SessionConfigError,
    );
    expect(() => kit.guard({ protect: ['/d'], loginPath: '/login', 'x\r\ny': 1 } as never)).toThrow(
      /Unknown guard\(\) option "x\?\?y"\. Valid options: protect, loginPath/,
    );
  });

  it('hands a flash message to this render only, and removes it from the browser cookie', async () => {
    const { kit, clock } = setup();
    const { h, browser } = await signedInWithFlash(clock);
    // A redirect (or any response that does not render) leaves it pending.
    const redirected = await kit.guard({
      protect: ['/dashboard'],
      loginPath: '/login',
      authorize: () => false,
    })(req('/dashboard', browser.cookies.get('session')));
    expect(redirected.status).toBe(403);
    expect(redirected.headers.get('set-cookie')).toBeNull();
    // A Server Action (POST) sets its own cookie in the same response: left pending.
    const action = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(
      req('/dashboard', browser.cookies.get('session'), { method: 'POST' }),
    );
    expect(action.headers.get('x-middleware-next')).toBe('1');
    expect(action.headers.get('set-cookie')).toBeNull();
    const res = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(
      req('/dashboard', browser.cookies.get('session')),
    );
    const toBrowser = /^session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? '';
    const forwarded =
      /(?:^|; )session=([^;]+)/.exec(res.headers.get('x-middleware-request-cookie') ?? '')?.[1] ?? '';
    expect(toBrowser).not.toBe('');
    expect(forwarded).not.toBe('');
    expect(forwarded).not.toBe(toBrowser);
    const render = new TestBrowser();
    render.cookies.set('session', decodeURIComponent(forwarded));
    await h.request(render, async (s) => {
      expect(await s.getFlash('notice')).toBe('Welcome back');
      expect(s.get('user')).toBe('ada');
    });
    const next = new TestBrowser();
    next.cookies.set('session', toBrowser);
    await h.request(next, async (s) => {
      expect(await s.getFlash('notice')).toBeUndefined();
      expect(s.get('user')).toBe('ada');
    });
    // The next proxied request writes nothing more.
    const again = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(
      req('/dashboard', toBrowser),
    );
    expect(again.headers.get('set-cookie')).toBeNull();
  });

  it("defers a cookie flash from Next's action-redirect render to the browser's own request", async () => {
    const { kit, clock } = setup();
    const { browser } = await signedInWithFlash(clock);
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const cookie = browser.cookies.get('session');
    // Next renders the redirect target itself and drops that response's
    // Set-Cookie: no Flight payload, so the browser navigates on its own.
    const internal = await proxy(
      req('/dashboard', cookie, { headers: { 'x-action-redirect': '/dashboard;push', rsc: '1' } }),
    );
    expect(internal.status).toBe(204);
    expect(internal.headers.get('x-middleware-next')).toBeNull();
    const page = await proxy(req('/dashboard', cookie));
    expect(page.headers.get('x-middleware-next')).toBe('1');
    expect(page.headers.get('set-cookie')).toMatch(/^session=/);
    // Without a pending flash the render goes ahead as usual.
    const plain = await signedIn(clock, 'grace');
    const rendered = await proxy(
      req('/dashboard', plain, { headers: { 'x-action-redirect': '/dashboard;push' } }),
    );
    expect(rendered.headers.get('x-middleware-next')).toBe('1');
  });

  it('guards paths holding line terminators and other controls (the decoded path fails closed)', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/dashboard', '/api/private'], loginPath: '/login' });
    for (const path of [
      '/dashboard/projects/%0A42',
      '/dashboard/x%0D',
      '/dashboard/%E2%80%A8a',
      '/about/%0A',
    ]) {
      const res = await proxy(req(path));
      expect(res.status, path).toBe(307);
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.pathname).toBe('/login');
      expect(location.searchParams.get('next')).toBe(path);
    }
    for (const path of ['/api/private/%0D7', '/api/private/%E2%80%A9', '/%61pi/private/7']) {
      const res = await proxy(req(path));
      expect(res.status, path).toBe(401);
      expect(await res.json()).toEqual({ error: 'unauthenticated' });
    }
    const everything = kit.guard({ protect: ['/'], loginPath: '/login' });
    expect((await everything(req('/settings/%E2%80%A8a'))).status).toBe(307);
    const byPredicate = kit.guard({
      protect: (path) => /^\/admin(?:\/.*)?$/.test(path),
      loginPath: '/login',
    });
    expect((await byPredicate(req('/admin/%0A42'))).status).toBe(307);
    expect((await byPredicate(req('/%61dmin/42'))).status).toBe(307);
    expect((await byPredicate(req('/public'))).headers.get('x-middleware-next')).toBe('1');
  });

  it('keeps the basePath in the login URL; next is the path within the app, as redirect() expects', async () => {
    const { kit, clock } = setup();
    const proxy = kit.guard({ protect: ['/dashboard', '/api/private'], loginPath: '/login' });
    const shop = { basePath: '/shop' };
    const res = await proxy(req('/shop/dashboard?tab=1', undefined, shop));
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin).toBe('http://app.test');
    expect(location.pathname).toBe('/shop/login');
    expect(location.searchParams.get('next')).toBe('/dashboard?tab=1');
    expect((await proxy(req('/shop/api/private/x', undefined, shop))).status).toBe(401);
    expect((await proxy(req('/shop/about', undefined, shop))).headers.get('x-middleware-next')).toBe('1');
    const cookie = await signedIn(clock, 'ada');
    expect((await proxy(req('/shop/dashboard', cookie, shop))).headers.get('x-middleware-next')).toBe('1');
    // With everything protected, the login page itself stays reachable.
    const everything = kit.guard({ protect: ['/'], loginPath: '/login' });
    for (const path of ['/shop/login', '/shop/login/', '/shop/login?next=%2Fdashboard']) {
      expect((await everything(req(path, undefined, shop))).headers.get('x-middleware-next'), path).toBe('1');
    }
  });

  it('never sends the login page to itself: any spelling of loginPath passes, a query in loginPath is kept', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/'], loginPath: '/login' });
    for (const path of ['/login', '/login/', '/%6Cogin', '/login//']) {
      expect((await proxy(req(path))).headers.get('x-middleware-next'), path).toBe('1');
    }
    expect((await proxy(req('/login/more'))).status).toBe(307);
    const withQuery = kit.guard({ protect: ['/'], loginPath: '/account/login?via=guard' });
    expect((await withQuery(req('/account/login?via=guard'))).headers.get('x-middleware-next')).toBe('1');
    expect((await withQuery(req('/account/login'))).headers.get('x-middleware-next')).toBe('1');
    const res = await withQuery(req('/dashboard?tab=1', undefined, { basePath: '/shop' }));
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.pathname).toBe('/account/login');
    expect([...location.searchParams]).toEqual([
      ['via', 'guard'],
      ['next', '/dashboard?tab=1'],
    ]);
  });

  it('proxySession() composes with a custom proxy', async () => {
    const { kit, clock } = setup();
    const cookie = await signedIn(clock, 'ada');
    const { session, next } = await kit.proxySession(req('/x', cookie));
    expect(session.userId).toBe('ada');
    session.set('role', 'viewer');
    await session.save();
    const res = await next();
    expect(res.headers.get('set-cookie')).toMatch(/^session=/);
    expect(res.headers.get('x-middleware-request-cookie')).toMatch(/session=/);
  });
});

describe('guard() and proxySession() on https: the __Host- cookie', () => {
  const https = (path: string, cookie: string, method = 'GET') =>
    new NextRequest(new URL(path, 'https://app.test'), { method, headers: { cookie } });

  it('a session or session.0 planted from a sibling subdomain neither signs in nor replaces the real one', async () => {
    const { kit, clock } = setup();
    const proxy = kit.guard({
      protect: ['/dashboard'],
      loginPath: '/login',
      authorize: (s) => s.get('user') === 'ada',
    });
    const mallory = await signedIn(clock, 'mallory');
    const ada = await signedIn(clock, 'ada');
    expect((await proxy(https('/dashboard', `__Host-session=${ada}`))).headers.get('x-middleware-next')).toBe(
      '1',
    );
    for (const planted of [`session=${mallory}`, `session.0=${mallory}`]) {
      const signedOut = await proxy(https('/dashboard', planted));
      expect(signedOut.status, planted).toBe(307);
      expect(signedOut.headers.get('set-cookie'), 'the planted cookie is not the kit’s to clear').toBeNull();
      for (const cookie of [`__Host-session=${ada}; ${planted}`, `${planted}; __Host-session=${ada}`]) {
        const res = await proxy(https('/dashboard', cookie));
        expect(res.headers.get('x-middleware-next'), cookie.slice(0, 20)).toBe('1');
      }
    }
  });

  it('writes, forwards and hands flash messages to the render under __Host-session', async () => {
    const { kit, clock } = setup();
    const { browser } = await signedInWithFlash(clock);
    const value = browser.cookies.get('session') ?? '';
    const res = await kit.guard({ protect: ['/dashboard'], loginPath: '/login' })(
      https('/dashboard', `__Host-session=${value}`),
    );
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-session=[^;]+; Path=\/; .*; Secure/);
    const forwarded = res.headers.get('x-middleware-request-cookie') ?? '';
    expect(forwarded).toMatch(/^__Host-session=[^;]+$/);
    const { session, next } = await kit.proxySession(https('/x', `__Host-session=${value}`));
    expect(session.userId).toBe('ada');
    session.set('role', 'viewer');
    await session.save();
    expect((await next()).headers.get('set-cookie')).toMatch(/^__Host-session=/);
  });
});

/** `shape` sent to `path` with the session cookie `cookie`, as the proxy receives it. */
function shaped(shape: RequestShape, path: string, cookie: string) {
  return req(path, cookie, { method: shape.method, headers: shape.headers });
}

/** The session cookie the response sets, if any (a value, or '' when it clears it). */
function sessionSetCookie(res: Response): string | undefined {
  const line = res.headers.getSetCookie().find((l) => /^session=/.test(l));
  return line === undefined ? undefined : (/^session=([^;]*)/.exec(line)?.[1] ?? '');
}

/** The session cookie forwarded to this request's render, if the proxy changed it. */
function forwardedSession(res: Response): string | undefined {
  const header = res.headers.get('x-middleware-request-cookie');
  return header === null ? undefined : (/(?:^|; )session=([^;]*)/.exec(header)?.[1] ?? '');
}

describe('guard(): the cookie is written only where no other response can overtake it', () => {
  // Next 16 strips `rsc`/`next-router-prefetch` before the proxy runs, so a
  // router prefetch carrying the cookie from before a login looks like any
  // other router fetch; its response can land after the login's and replace
  // the new cookie. See src/test-utils/request-shapes.ts for the shapes.
  const racing = Object.entries(RACING);
  const settled = Object.entries(SETTLED);

  it('an idle refresh: page loads, Server Actions and curl re-issue; router fetches and prefetches do not', async () => {
    const { kit, clock, idle } = setup({ idleTimeout: 1000 });
    const cookie = await signedIn(clock, 'ada', SECRET, idle);
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    clock.advance(200); // past the 100 s refresh interval
    for (const [name, shape] of racing) {
      const res = await proxy(shaped(shape, '/dashboard', cookie));
      expect(res.status, name).toBeLessThan(300);
      expect(sessionSetCookie(res), name).toBeUndefined();
      expect(forwardedSession(res) ?? cookie, name).toBe(cookie);
    }
    for (const [name, shape] of settled) {
      const res = await proxy(shaped(shape, '/dashboard', cookie));
      expect(res.headers.get('x-middleware-next'), name).toBe('1');
      const fresh = sessionSetCookie(res);
      expect(fresh, name).toMatch(/^[\w.-]{40,}$/);
      expect(fresh, name).not.toBe(cookie);
      expect(forwardedSession(res), name).toBe(fresh);
    }
  });

  it('a cookie sealed with an older key: re-sealed only where nothing can overtake it', async () => {
    const { kit, clock } = setup({ secret: [SECRET, OLD] });
    const cookie = await signedIn(clock, 'ada', OLD);
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    for (const [name, shape] of racing) {
      const res = await proxy(shaped(shape, '/dashboard', cookie));
      expect(res.status, name).toBeLessThan(300);
      expect(sessionSetCookie(res), name).toBeUndefined();
    }
    for (const [name, shape] of settled) {
      const res = await proxy(shaped(shape, '/dashboard', cookie));
      expect(res.headers.get('x-middleware-next'), name).toBe('1');
      expect(sessionSetCookie(res), name).toMatch(/^[\w.-]{40,}$/);
    }
  });

  it('a rejected cookie: cleared only where nothing can overtake it', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    for (const [name, shape] of racing) {
      for (const path of ['/dashboard', '/about']) {
        const res = await proxy(shaped(shape, path, 'garbage'));
        expect(sessionSetCookie(res), `${name} ${path}`).toBeUndefined();
      }
    }
    for (const [name, shape] of settled) {
      const res = await proxy(shaped(shape, '/dashboard', 'garbage'));
      expect(res.status, name).toBe(307);
      expect(sessionSetCookie(res), name).toBe('');
      expect(res.headers.get('set-cookie'), name).toMatch(/Max-Age=0/);
    }
  });

  it('a store token deleted by a login meanwhile: a router fetch still carrying it clears nothing', async () => {
    // The prefetch was sent with the token from before the login; the login
    // deleted its record and set a new cookie; the prefetch's response comes
    // back last. Clearing "the rejected cookie" there would clear the login's.
    const clock = new Clock(Date.now());
    const storage = memoryStorage();
    const kit = createSessionKit<Data>({ storage, now: clock.now });
    const h = new Harness<Data>({ storage }, clock);
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('role', 'visitor');
      await s.save();
    });
    const before = browser.cookies.get('session') ?? '';
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada');
      s.set('user', 'ada');
      await s.save();
    });
    const after = browser.cookies.get('session') ?? '';
    expect(after).not.toBe(before);
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    for (const [name, shape] of racing) {
      for (const path of ['/dashboard', '/']) {
        const res = await proxy(shaped(shape, path, before));
        expect(sessionSetCookie(res), `${name} ${path}`).toBeUndefined();
      }
    }
    // The login's cookie itself goes through, and a page load still clears a dead token.
    const ok = await proxy(shaped(ROUTER_FETCH, '/dashboard', after));
    expect(ok.headers.get('x-middleware-next')).toBe('1');
    expect(sessionSetCookie(await proxy(shaped(DOCUMENT, '/', before)))).toBe('');
  });

  it('a cookie flash message: handed to the render on page loads only', async () => {
    const { kit, clock } = setup();
    const { browser } = await signedInWithFlash(clock);
    const cookie = browser.cookies.get('session') ?? '';
    const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    for (const [name, shape] of racing) {
      const res = await proxy(shaped(shape, '/dashboard', cookie));
      expect(res.status, name).toBe(shape === ACTION_REDIRECT_RENDER ? 204 : 200);
      expect(sessionSetCookie(res), name).toBeUndefined();
      expect(forwardedSession(res) ?? cookie, name).toBe(cookie);
    }
    // A Server Action sets its own cookie in its response: the message stays pending.
    const action = await proxy(shaped(SERVER_ACTION, '/dashboard', cookie));
    expect(sessionSetCookie(action)).toBeUndefined();
    for (const [name, shape] of settled) {
      if (shape === SERVER_ACTION) continue;
      const res = await proxy(shaped(shape, '/dashboard', cookie));
      const toBrowser = sessionSetCookie(res);
      expect(toBrowser, name).toMatch(/^[\w.-]{40,}$/);
      expect(forwardedSession(res), name).toMatch(/^[\w.-]{40,}$/);
      expect(forwardedSession(res), name).not.toBe(toBrowser);
    }
  });

  it("useSession()'s snapshot fetch (the `live` option) writes nothing, whatever else the request looks like", async () => {
    const { kit, clock, idle } = setup({ idleTimeout: 1000 });
    const cookie = await signedIn(clock, 'ada', SECRET, idle);
    const proxy = kit.guard({ protect: ['/api/private'], loginPath: '/login' });
    clock.advance(200); // past the 100 s refresh interval
    for (const [name, shape] of [...settled, ...racing]) {
      const snapshot = { ...shape, headers: { ...shape.headers, 'x-session-kit': 'snapshot' } };
      const res = await proxy(shaped(snapshot, '/api/session/client', cookie));
      expect(res.headers.get('x-middleware-next'), name).toBe('1');
      expect(sessionSetCookie(res), name).toBeUndefined();
      expect(forwardedSession(res) ?? cookie, name).toBe(cookie);
      expect((await kit.proxySession(shaped(snapshot, '/x', cookie))).maySetCookie, name).toBe(false);
    }
  });

  it("useSession()'s snapshot fetch does not slide a store's idle expiry in the guard", async () => {
    for (const [kind, slides] of [
      ['a router fetch', true],
      ['a snapshot fetch', false],
    ] as const) {
      const clock = new Clock(Date.now());
      const kit = createSessionKit<Data>({ storage: memoryStorage(), idleTimeout: 600, now: clock.now });
      const login = await withSessionRequest({}, async () => {
        const session = await kit.newSession({ userId: 'ada' });
        session.set('user', 'ada');
        await session.save();
      });
      const cookie = login.cookies.session ?? '';
      const proxy = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
      clock.advance(500); // idle for 500 of 600 s: the store's touch is due
      const headers: Record<string, string> =
        kind === 'a snapshot fetch'
          ? { ...SCRIPT_FETCH.headers, 'x-session-kit': 'snapshot' }
          : ROUTER_FETCH.headers;
      const res = await proxy(shaped({ method: 'GET', headers }, '/dashboard', cookie));
      expect(res.headers.get('x-middleware-next'), kind).toBe('1');
      clock.advance(200);
      const later = await proxy(shaped(ROUTER_FETCH, '/dashboard', cookie));
      expect(later.status === 307 ? 'signed out' : 'signed in', kind).toBe(
        slides ? 'signed in' : 'signed out',
      );
    }
  });

  it('proxySession() tells a custom proxy whether it may write: maySetCookie', async () => {
    const { kit, clock } = setup();
    const cookie = await signedIn(clock, 'ada');
    for (const [name, shape] of racing) {
      expect((await kit.proxySession(shaped(shape, '/x', cookie))).maySetCookie, name).toBe(false);
    }
    for (const [name, shape] of settled) {
      expect((await kit.proxySession(shaped(shape, '/x', cookie))).maySetCookie, name).toBe(true);
    }
  });
});

describe('guard(): a request that changes nothing is passed on untouched', () => {
  it('forwards no request headers when no cookie was written and no session is handed over (Next would copy every header twice)', async () => {
    const { kit } = setup();
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const res = await guard(req('/about', undefined, { headers: { 'x-extra': '1' } }));
    expect(res.headers.get('x-middleware-next')).toBe('1');
    expect(res.headers.get('x-middleware-override-headers')).toBeNull();
    expect(res.headers.get('x-middleware-request-cookie')).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('cookie storage, a session and nothing written: forwards no headers and hands nothing over (the render decrypts again, which costs less)', async () => {
    const { clock, kit } = setup();
    const cookie = await signedIn(clock, 'ada');
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const res = await guard(req('/dashboard', cookie, { headers: { 'x-extra': '1' } }));
    expect(res.headers.get('x-middleware-next')).toBe('1');
    expect(res.headers.get('x-middleware-override-headers')).toBeNull();
    expect(res.headers.get(`x-middleware-request-${HAND_OFF_HEADER}`)).toBeNull();
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('cookie storage, a session and nothing written, with a client-sent hand-off id: forwards the headers only to remove it', async () => {
    const { clock, kit } = setup();
    const cookie = await signedIn(clock, 'ada');
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const res = await guard(req('/dashboard', cookie, { headers: { [HAND_OFF_HEADER]: 'f'.repeat(32) } }));
    expect(res.headers.get('x-middleware-override-headers')?.split(',')).not.toContain(HAND_OFF_HEADER);
    expect(res.headers.get(`x-middleware-request-${HAND_OFF_HEADER}`)).toBeNull();
  });

  it('cookie storage, the cookie re-issued: the headers go anyway, so the session is handed over with them', async () => {
    const { clock, kit, idle } = setup({ idleTimeout: 1000 });
    const cookie = await signedIn(clock, 'ada', SECRET, idle);
    clock.advance(110); // past the 100 s refresh interval
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const res = await guard(req('/dashboard', cookie));
    expect(res.headers.getSetCookie().filter((c) => c.startsWith('session='))).toHaveLength(1);
    expect(res.headers.get(`x-middleware-request-${HAND_OFF_HEADER}`)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('store, a session and nothing written: forwards the headers unchanged but for the hand-off id (one round trip per request)', async () => {
    const kit = createSessionKit<{ user?: string }>({ storage: memoryStorage() });
    const login = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: 'ada' });
      s.set('user', 'ada');
      await s.save();
    });
    const cookie = login.cookies.session ?? '';
    const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const res = await guard(req('/dashboard', cookie, { headers: { 'x-extra': '1' } }));
    expect(res.headers.get('x-middleware-next')).toBe('1');
    expect(res.headers.get('x-middleware-request-cookie')).toBe(`session=${cookie}`);
    expect(res.headers.get('x-middleware-request-x-extra')).toBe('1');
    expect(res.headers.get(`x-middleware-request-${HAND_OFF_HEADER}`)).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});
