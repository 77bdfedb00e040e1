// Switching from iron-session without signing anyone out: cookies sealed by
// the real iron-session (8, the devDependency) are read through the kit's
// own request path (`next-session-kit/testing`), as a server component, a
// Server Action and the guard in proxy.ts see them.
import { sealData } from 'iron-session';
import { NextRequest } from 'next/server.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError } from '../errors.ts';
import { createSessionKit } from '../next/kit.ts';
import { fernetCookieStorage } from '../storage/aiohttp/fernet-cookie.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import type { SessionStorage } from '../storage/types.ts';
import type { InvalidSessionDetail, InvalidSessionReason } from '../types.ts';
import { ironSession } from './iron-session.ts';

const PASSWORD = 'iron-session-password-of-at-least-32-chars';
const OTHER_PASSWORD = 'another-iron-password-of-at-least-32-chars';
const SECRET = 'kit-secret-for-the-migration-tests-0001';
const IRON = 'my-app';

type IronData = { user?: { id: string; name: string }; isLoggedIn?: boolean; cart?: string[] };
type Data = { name?: string; cart?: string[]; count?: number };

const ada: IronData = { user: { id: 'u-1', name: 'Ada' }, isLoggedIn: true, cart: ['tea'] };

function setup(options: { storage?: SessionStorage; schema?: boolean } = {}) {
  const reports: Array<[InvalidSessionReason, InvalidSessionDetail | undefined]> = [];
  const kit = createSessionKit<Data>({
    storage: options.storage ?? encryptedCookieStorage({ secret: SECRET }),
    ...(options.schema === true && {
      schema: z.object({ name: z.string().optional(), cart: z.array(z.string()).max(1).optional() }),
    }),
    onInvalidSession: (reason, detail) => reports.push([reason, detail]),
    migrateFrom: ironSession<Data, IronData>({
      password: { 1: OTHER_PASSWORD, 2: PASSWORD },
      cookieName: IRON,
      cookieOptions: { path: '/', secure: true },
      userId: (data) => data.user?.id,
      map: (data) => ({ name: data.user?.name, cart: data.cart }),
    }),
  });
  return { kit, reports };
}

const seal = (data: unknown, password: string | Record<number, string> = { 2: PASSWORD }) =>
  sealData(data, { password });

afterEach(() => {
  vi.useRealTimers();
});

describe('ironSession(): a valid iron-session cookie and no kit cookie', () => {
  it('is the signed-in user in a server component, on every render, without a write', async () => {
    const { kit, reports } = setup();
    const cookies = { [IRON]: await seal(ada) };
    for (let render = 0; render < 2; render++) {
      const page = await withSessionRequest({ cookies, readOnly: true }, async () => {
        const session = await kit.getSession();
        return {
          isNew: session.isNew,
          userId: session.userId,
          data: { ...session.data },
          has: await kit.hasSession(),
        };
      });
      expect(page.result).toEqual({
        isNew: false,
        userId: 'u-1',
        data: { name: 'Ada', cart: ['tea'] },
        has: true,
      });
      expect(page.setCookies).toEqual([]);
    }
    expect(reports).toEqual([]);
  });

  it('the first save writes the kit cookie and clears the iron one; then only the kit cookie is read', async () => {
    const { kit } = setup();
    const action = await withSessionRequest({ cookies: { [IRON]: await seal(ada) } }, async () => {
      const session = await kit.getSession();
      session.set('count', 1);
      await session.save();
    });
    expect(Object.keys(action.cookies)).toEqual(['session']);
    const cleared = action.setCookies.find((write) => write.name === IRON);
    expect(cleared?.value).toBe('');
    expect(cleared?.options).toMatchObject({ maxAge: 0, path: '/', secure: true });

    const next = await withSessionRequest({ cookies: action.cookies, readOnly: true }, async () => {
      const session = await kit.getSession();
      return { isNew: session.isNew, userId: session.userId, data: { ...session.data } };
    });
    expect(next.result).toEqual({
      isNew: false,
      userId: 'u-1',
      data: { name: 'Ada', cart: ['tea'], count: 1 },
    });
  });

  it('a save with nothing changed by the app still writes the carried-over session', async () => {
    const { kit } = setup();
    const handler = await withSessionRequest({ cookies: { [IRON]: await seal(ada) } }, async () => {
      const session = await kit.getSession();
      expect(session.isChanged).toBe(true);
      await session.save();
    });
    expect(Object.keys(handler.cookies)).toEqual(['session']);
  });

  it('with a store, the first save creates a record bound to the user', async () => {
    const { kit } = setup({ storage: memoryStorage() });
    const saved = await withSessionRequest({ cookies: { [IRON]: await seal(ada) } }, async () => {
      await (await kit.getSession()).save();
      return kit.listUserSessions('u-1');
    });
    expect(saved.result).toHaveLength(1);
    expect(saved.result?.[0]?.current).toBe(true);
    expect(Object.keys(saved.cookies)).toEqual(['session']);
    const page = await withSessionRequest({ cookies: saved.cookies, readOnly: true }, async () =>
      (await kit.getSession()).get('name'),
    );
    expect(page.result).toBe('Ada');
  });

  it('the guard in proxy.ts writes the kit cookie and clears the iron one on the first page load', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/account'], loginPath: '/login' });
    const request = new NextRequest(new URL('/account', 'https://app.test'), {
      headers: { cookie: `${IRON}=${await seal(ada)}` },
    });
    const response = await proxy(request);
    expect(response.status).toBe(200);
    const set = response.cookies.getAll();
    expect(set.find((c) => c.name === '__Host-session')?.value).toBeTruthy();
    expect(set.find((c) => c.name === IRON)).toMatchObject({ value: '', maxAge: 0, secure: true, path: '/' });
    // The render of this request sees the kit cookie, not the old one.
    const forwarded = response.headers.get('x-middleware-request-cookie') ?? '';
    expect(forwarded).toContain('__Host-session=');
    expect(forwarded).not.toContain(`${IRON}=`);
  });

  it('logging out before anything was written clears the iron cookie too', async () => {
    const { kit } = setup();
    const out = await withSessionRequest({ cookies: { [IRON]: await seal(ada) } }, () =>
      kit.destroySession(),
    );
    expect(out.cookies).toEqual({});
    expect(out.setCookies.find((write) => write.name === IRON)?.options.maxAge).toBe(0);
    const after = await withSessionRequest(
      { cookies: out.cookies, readOnly: true },
      async () => (await kit.getSession()).isNew,
    );
    expect(after.result).toBe(true);
  });

  it('a login (newSession) before anything was written clears the iron cookie too', async () => {
    const { kit } = setup();
    const login = await withSessionRequest({ cookies: { [IRON]: await seal(ada) } }, async () => {
      const session = await kit.newSession({ userId: 'u-2' });
      session.set('name', 'Grace');
      await session.save();
    });
    expect(Object.keys(login.cookies)).toEqual(['session']);
    const logout = await withSessionRequest({ cookies: login.cookies }, () => kit.destroySession());
    const after = await withSessionRequest(
      { cookies: logout.cookies, readOnly: true },
      async () => (await kit.getSession()).userId,
    );
    expect(after.result).toBeUndefined();
  });

  it('an iron session with nothing in it carries nothing over, and is cleared by the next write', async () => {
    const { kit, reports } = setup();
    const empty = await withSessionRequest({ cookies: { [IRON]: await seal({}) } }, async () => {
      const session = await kit.getSession();
      expect(session.isNew).toBe(true);
      await session.save();
    });
    expect(empty.cookies).toEqual({});
    expect(empty.setCookies.map((write) => [write.name, write.options.maxAge])).toEqual([[IRON, 0]]);
    // iron-session 8 (the devDependency) answers {} to a valid empty seal and
    // to a refused one alike, so this is reported; with iron-session 9, which
    // reports every failure through onUnsealError, it is not.
    expect(reports).toEqual([['invalid', { source: 'iron-session' }]]);
  });

  it('the data goes through the schema like any loaded session', async () => {
    const { kit, reports } = setup({ schema: true });
    const cookies = { [IRON]: await seal({ ...ada, cart: ['tea', 'milk'] }) };
    const page = await withSessionRequest(
      { cookies, readOnly: true },
      async () => (await kit.getSession()).isNew,
    );
    expect(page.result).toBe(true);
    expect(reports).toEqual([['schema', { source: 'iron-session' }]]);
  });
});

describe('ironSession(): the kit cookie always decides', () => {
  it('a valid kit session wins over an iron cookie, which the next write clears', async () => {
    const { kit } = setup();
    const grace = await withSessionRequest({}, async () => {
      const session = await kit.newSession({ userId: 'u-2' });
      session.set('name', 'Grace');
      await session.save();
    });
    const both = { ...grace.cookies, [IRON]: await seal(ada) };
    const action = await withSessionRequest({ cookies: both }, async () => {
      const session = await kit.getSession();
      session.set('count', 1);
      await session.save();
      return session.userId;
    });
    expect(action.result).toBe('u-2');
    expect(Object.keys(action.cookies)).toEqual(['session']);
  });

  it('a refused kit cookie is not replaced by the iron one: fresh session, reported as the kit’s own', async () => {
    const { kit, reports } = setup();
    const cookies = { session: 'garbage', [IRON]: await seal(ada) };
    const action = await withSessionRequest({ cookies }, async () => {
      const session = await kit.getSession();
      const seen = { isNew: session.isNew, userId: session.userId, has: await kit.hasSession() };
      await session.save();
      return seen;
    });
    expect(action.result).toEqual({ isNew: true, userId: undefined, has: false });
    expect(reports).toEqual([['invalid', undefined]]);
    // Both the bad kit cookie and the old one are gone.
    expect(action.cookies).toEqual({});
  });

  it('on https the kit reads only __Host-session: a planted plain `session` does not stop the migration', async () => {
    const { kit } = setup();
    const cookies = { session: 'garbage', [IRON]: await seal(ada) };
    const page = await withSessionRequest(
      { cookies, url: 'https://app.test/', readOnly: true },
      async () => (await kit.getSession()).userId,
    );
    expect(page.result).toBe('u-1');
  });
});

describe('ironSession(): bad input gives a fresh session and a report naming iron-session', () => {
  async function refused(value: string, kitOptions: { storage?: SessionStorage } = {}) {
    const { kit, reports } = setup(kitOptions);
    const action = await withSessionRequest({ cookies: { [IRON]: value } }, async () => {
      const session = await kit.getSession();
      const seen = { isNew: session.isNew, data: { ...session.data }, has: await kit.hasSession() };
      await session.save();
      return seen;
    });
    expect(action.result).toEqual({ isNew: true, data: {}, has: false });
    // Nothing is written for the fresh session; the bad iron cookie is cleared.
    expect(action.cookies).toEqual({});
    return reports;
  }

  it('tampered', async () => {
    const value = await seal(ada);
    const parts = value.split('*');
    const ciphertext = parts[4] ?? '';
    parts[4] = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
    expect(await refused(parts.join('*'))).toEqual([['invalid', { source: 'iron-session' }]]);
  });

  it('expired (past the ttl it was sealed with)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3 * 3600 * 1000);
    const value = await sealData(ada, { password: { 2: PASSWORD }, ttl: 3600 });
    vi.useRealTimers();
    expect(await refused(value)).toEqual([['expired', { source: 'iron-session' }]]);
  });

  it('sealed with a password id the kit was not given', async () => {
    expect(await refused(await seal(ada, { 3: PASSWORD }))).toEqual([
      ['unknown-key', { source: 'iron-session' }],
    ]);
  });

  it('foreign: sealed by another app (another password under the same id)', async () => {
    const foreign = await seal(ada, { 2: 'a-stranger-password-of-at-least-32-chars' });
    expect(await refused(foreign)).toEqual([['invalid', { source: 'iron-session' }]]);
  });

  it('not a seal at all, an iron-session 6 seal (no ~2), or oversized', async () => {
    const valid = await seal(ada);
    for (const value of [
      'garbage',
      valid.replace(/~2$/, ''),
      `${valid.replace(/~2$/, '')}~1`,
      `${'A'.repeat(5000)}~2`,
    ]) {
      expect(await refused(value)).toEqual([['invalid', { source: 'iron-session' }]]);
    }
  });

  it('sealed data that is not an object', async () => {
    for (const data of [['a'], 'text', 42]) {
      expect(await refused(await seal(data))).toEqual([['invalid', { source: 'iron-session' }]]);
    }
  });

  it('a `map` or `userId` that throws or returns something unusable: reason `migration`', async () => {
    const cases = [
      {
        map: () => {
          throw new Error('boom');
        },
      },
      { map: () => ['not', 'an', 'object'] as unknown as Data },
      { userId: () => 42 as unknown as string },
      { userId: () => '' },
    ];
    for (const options of cases) {
      const reports: Array<[InvalidSessionReason, InvalidSessionDetail | undefined]> = [];
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const kit = createSessionKit<Data>({
        storage: encryptedCookieStorage({ secret: SECRET }),
        onInvalidSession: (reason, detail) => reports.push([reason, detail]),
        migrateFrom: ironSession<Data, IronData>({ password: PASSWORD, cookieName: IRON, ...options }),
      });
      const page = await withSessionRequest(
        { cookies: { [IRON]: await seal(ada, PASSWORD) }, readOnly: true },
        async () => (await kit.getSession()).isNew,
      );
      expect(page.result).toBe(true);
      expect(reports).toEqual([['migration', { source: 'iron-session' }]]);
      expect(warn.mock.calls.flat().join(' ')).not.toContain('Ada');
      warn.mockRestore();
    }
  });

  it('hasSession() reports nothing', async () => {
    const { kit, reports } = setup();
    const peek = await withSessionRequest({ cookies: { [IRON]: 'Fe26.2*1*x~2' } }, () => kit.hasSession());
    expect(peek.result).toBe(false);
    expect(reports).toEqual([]);
  });
});

describe('ironSession() options, checked at creation', () => {
  const base = { password: PASSWORD, cookieName: IRON };
  const create =
    (options: unknown, kit: Record<string, unknown> = {}) =>
    () =>
      createSessionKit({
        storage: encryptedCookieStorage({ secret: SECRET }),
        ...kit,
        migrateFrom: ironSession(options as Parameters<typeof ironSession>[0]),
      });

  it.each([
    ['a short password', { ...base, password: 'short' }, /at least 32 characters/],
    ['a short password in the map', { ...base, password: { 1: PASSWORD, 2: 'short' } }, /password\[2\]/],
    ['password ids that are not numbers', { ...base, password: { current: PASSWORD } }, /whole numbers/],
    ['no password', { cookieName: IRON }, /needs `password`/],
    ['no cookieName', { password: PASSWORD }, /needs `cookieName`/],
    ['a cookieName with a semicolon', { ...base, cookieName: 'a;b' }, /needs `cookieName`/],
    ['an unknown option', { ...base, pasword: PASSWORD }, /Unknown ironSession\(\) option "pasword"/],
    ['a map that is not a function', { ...base, map: { name: 'x' } }, /`map` must be a function/],
    ['a userId that is not a function', { ...base, userId: 'id' }, /`userId` must be a function/],
    ['a negative ttl', { ...base, ttl: -1 }, /`ttl`/],
    ['a cookie path with a semicolon', { ...base, cookieOptions: { path: '/;x' } }, /cookieOptions.path/],
  ])('%s', (_name, options, message) => {
    expect(create(options)).toThrow(SessionConfigError);
    expect(create(options)).toThrow(message);
  });

  it('never echoes the password', () => {
    const secret = 'tooshort-but-secret';
    try {
      create({ ...base, password: secret })();
    } catch (error) {
      expect(String(error)).not.toContain(secret);
    }
  });

  it('refuses the kit’s own cookie name, and the factory itself where a source belongs', () => {
    expect(create({ ...base, cookieName: 'session' })).toThrow(/the kit's own cookie name/);
    expect(create({ ...base, cookieName: '__Host-app' }, { cookieName: 'app' })).toThrow(/the kit's own/);
    expect(() =>
      createSessionKit({
        storage: encryptedCookieStorage({ secret: SECRET }),
        migrateFrom: ironSession as never,
      }),
    ).toThrow(/call the function/);
    expect(() =>
      createSessionKit({ storage: encryptedCookieStorage({ secret: SECRET }), migrateFrom: [{}] as never }),
    ).toThrow(/`migrateFrom` must be a source/);
  });

  it('refuses the aiohttp-session formats, which cannot hold the user id', () => {
    const storage = fernetCookieStorage({ key: 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=' });
    expect(create(base, { storage, cookieName: 'AIOHTTP_SESSION', cookie: { prefix: 'none' } })).toThrow(
      /aiohttp-session formats/,
    );
  });

  it('takes the iron-session options object as it is', () => {
    const sessionOptions = {
      password: PASSWORD,
      cookieName: IRON,
      ttl: 60 * 60 * 24 * 7,
      cookieOptions: {
        secure: process.env.NODE_ENV === 'production',
        sameSite: 'lax' as const,
        httpOnly: true,
      },
    };
    expect(create({ ...sessionOptions, userId: () => undefined })).not.toThrow();
  });
});
