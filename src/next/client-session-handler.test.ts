// The `live` option's Route Handler (`clientSessionHandler`) on a real kit:
// encrypted cookies, memoryStorage and a real Redis. What it answers, what it
// refuses, and that reading the snapshot never writes a cookie nor keeps an
// idle session alive.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { SessionClientProvider, useSession } from '../entries/client.ts';
import { redisStorage } from '../entries/redis.ts';
import { createTestBrowser, withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError, SessionStoreError } from '../errors.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import type { SessionStorage } from '../storage/types.ts';
import { serverClients } from '../test-utils/clients.ts';
import { Clock } from '../test-utils/harness.ts';
import { createClientSessionHandler } from './client-session-handler.ts';
import { createSessionKit } from './kit.ts';

type Data = { user?: string; role?: string };
type Flash = { notice?: string };

const SECRET = 'live-handler-test-secret-long-enough-01';
const ENDPOINT = 'http://app.test/api/session/client';
const { redis } = serverClients();

/** A client component reading the exposed user. */
function Greeting() {
  return createElement('p', null, String(useSession<Pick<Data, 'user'>>().user));
}

/** What the client provider sends. */
function snapshotRequest(headers: Record<string, string> = {}): Request {
  return new Request(ENDPOINT, {
    headers: {
      accept: 'application/json',
      'x-session-kit': 'snapshot',
      'sec-fetch-site': 'same-origin',
      'sec-fetch-mode': 'cors',
      ...headers,
    },
  });
}

function liveKit(storage: SessionStorage, clock = new Clock(Date.now())) {
  const kit = createSessionKit<Data, Flash, Pick<Data, 'user'>>({
    storage,
    expose: ['user'],
    live: { endpoint: '/api/session/client' },
    idleTimeout: 600,
    now: clock.now,
  });
  return { kit, clock };
}

/** Signs ada in (user id, a non-exposed role, a flash message) in `browser`. */
async function login(kit: ReturnType<typeof liveKit>['kit'], browser: ReturnType<typeof createTestBrowser>) {
  await browser.request(async () => {
    const session = await kit.newSession({ userId: 'user-42' });
    session.set('user', 'ada');
    session.set('role', 'admin');
    session.flash('notice', 'Welcome back');
    await session.save();
  });
}

const stores: Array<[string, () => SessionStorage]> = [
  ['memoryStorage', () => memoryStorage()],
  ['redis', () => redisStorage({ client: redis, keyPrefix: uniquePrefix('live') })],
];

describe('clientSessionHandler', () => {
  it('answers the exposed fields only, as uncached JSON, and writes no cookie even when one is due', async () => {
    const { kit, clock } = liveKit(encryptedCookieStorage({ secret: SECRET }));
    const browser = createTestBrowser();
    await login(kit, browser);
    const cookie = browser.cookies.get('session') ?? '';
    clock.advance(300); // past the cookie's re-issue interval (a tenth of idleTimeout)

    const { result: response, setCookies } = await browser.request(() =>
      kit.clientSessionHandler(snapshotRequest()),
    );
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response?.headers.get('cache-control')).toBe('private, no-store');
    expect(response?.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(response?.headers.get('x-content-type-options')).toBe('nosniff');
    const body = (await response?.text()) ?? '';
    expect(JSON.parse(body)).toEqual({ user: 'ada' });
    for (const hidden of ['admin', 'user-42', 'Welcome back', cookie]) expect(body).not.toContain(hidden);
    expect(setCookies, 'no cookie written, not even the due re-issue').toEqual([]);

    // The cookie, pending flash message included, is exactly as it was.
    expect(browser.cookies.get('session')).toBe(cookie);
  });

  it.each(stores)('%s: reading the snapshot does not keep an idle session alive', async (_name, storage) => {
    // Control first: a page load at the same moment does slide the idle expiry.
    for (const [via, slides] of [
      ['getSession', true],
      ['clientSessionHandler', false],
    ] as const) {
      const { kit, clock } = liveKit(storage());
      const browser = createTestBrowser();
      await login(kit, browser);
      clock.advance(500); // idle for 500 of 600 s; the store's touch is due (after 60 s)
      const read = await browser.request(async () =>
        via === 'getSession'
          ? (await kit.getClientSession()).user
          : ((await (await kit.clientSessionHandler(snapshotRequest())).json()) as Data).user,
      );
      expect(read.result, via).toBe('ada');
      expect(read.setCookies, via).toEqual([]);
      clock.advance(200); // 700 s after the login, 200 s after the read
      const after = await browser.request(() => kit.getClientSession(), { readOnly: true });
      expect(after.result, `${via}: signed in 200 s after it?`).toEqual(slides ? { user: 'ada' } : {});
    }
  });

  it('a visitor without a session, or with a tampered cookie, gets {} and no cookie is cleared', async () => {
    const { kit } = liveKit(encryptedCookieStorage({ secret: SECRET }));
    const anonymous = await withSessionRequest({}, () => kit.clientSessionHandler(snapshotRequest()));
    expect(await anonymous.result?.json()).toEqual({});
    expect(anonymous.setCookies).toEqual([]);

    const tampered = await withSessionRequest({ cookies: { session: 'eyJhbGciOiJkaXIi.x.y.z.w' } }, () =>
      kit.clientSessionHandler(snapshotRequest()),
    );
    expect(tampered.result?.status).toBe(200);
    expect(await tampered.result?.json()).toEqual({});
    expect(tampered.setCookies).toEqual([]);
  });

  it('refuses, before reading any session: no snapshot header (400), another site or subdomain (403)', async () => {
    let loads = 0;
    const handler = createClientSessionHandler(async () => {
      loads++;
      return { user: 'ada' };
    });
    const cases: Array<[Request, number]> = [
      [new Request(ENDPOINT), 400],
      [snapshotRequest({ 'x-session-kit': 'yes' }), 400],
      [snapshotRequest({ 'sec-fetch-site': 'cross-site' }), 403],
      [snapshotRequest({ 'sec-fetch-site': 'same-site' }), 403],
      [snapshotRequest({ 'sec-fetch-site': 'none' }), 403],
    ];
    for (const [request, status] of cases) {
      const response = await handler(request);
      expect(response.status, [...request.headers].join(' ')).toBe(status);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(JSON.stringify(await response.json())).not.toContain('ada');
    }
    expect(loads).toBe(0);

    // No Fetch Metadata (an old browser, curl): the header alone decides.
    const plain = await handler(new Request(ENDPOINT, { headers: { 'x-session-kit': 'snapshot' } }));
    expect(await plain.json()).toEqual({ user: 'ada' });
  });

  it('answers 503 while the session store is down; any other error is not hidden', async () => {
    const down = createClientSessionHandler(async () => {
      throw new SessionStoreError('Session store unavailable (test)');
    });
    const response = await down(snapshotRequest());
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(await response.json()).toEqual({ error: 'session store unavailable' });

    const broken = createClientSessionHandler(async () => {
      throw new SessionConfigError('misconfigured');
    });
    await expect(broken(snapshotRequest())).rejects.toThrow('misconfigured');
  });
});

describe('SessionProvider with live', () => {
  it('hands the validated live option to the client provider, as plain data', async () => {
    const { kit } = liveKit(encryptedCookieStorage({ secret: SECRET }));
    const { result: element } = await withSessionRequest({ readOnly: true }, () =>
      kit.SessionProvider({ children: createElement('p') }),
    );
    const props = element?.props as Record<string, unknown>;
    expect(Object.keys(props).sort()).toEqual(['children', 'live', 'value']);
    expect(props.live).toEqual({ endpoint: '/api/session/client', interval: undefined, focus: true });
    expect(props.value).toEqual({});
  });

  it('renders on the server with the snapshot it was given, touching no browser API', () => {
    const live = { endpoint: '/api/session/client' };
    expect('window' in globalThis, 'this test runs without a DOM').toBe(false);
    const html = renderToString(
      createElement(SessionClientProvider, { value: { user: 'ada' }, live }, createElement(Greeting)),
    );
    expect(html).toBe('<p>ada</p>');
    const bad = { endpoint: 'https://evil.example/api' };
    expect(() =>
      renderToString(createElement(SessionClientProvider, { value: {}, live: bad }, createElement(Greeting))),
    ).toThrow(SessionConfigError);
  });
});
