// Switching from Auth.js v5 JWT sessions: session cookies made by the real
// @auth/core (a Credentials sign-in through Auth(), and its jwt `encode`),
// read through the kit's own request path (`next-session-kit/testing`).
import { encode } from '@auth/core/jwt';
import { base64url, EncryptJWT } from 'jose';
import { NextRequest } from 'next/server.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError } from '../errors.ts';
import { createSessionKit } from '../next/kit.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import type { SessionStorage } from '../storage/types.ts';
import { authjsSignIn } from '../test-utils/authjs.ts';
import type { InvalidSessionDetail, InvalidSessionReason } from '../types.ts';
import { type AuthjsToken, authjsSession } from './authjs.ts';
import { ironSession } from './iron-session.ts';

const AUTH_SECRET = 'auth-secret-for-the-migration-tests-0001';
const OLD_AUTH_SECRET = 'older-auth-secret-for-migration-tests-02';
const SECRET = 'kit-secret-for-the-migration-tests-0001';
const PLAIN = 'authjs.session-token';
const SECURE = '__Secure-authjs.session-token';
const HTTPS = 'https://app.test/';

type Data = { name?: string; email?: string };
type Token = AuthjsToken & { role?: string };

function setup(options: { secret?: string | string[]; storage?: SessionStorage; now?: () => number } = {}) {
  const reports: Array<[InvalidSessionReason, InvalidSessionDetail | undefined]> = [];
  const kit = createSessionKit<Data>({
    storage: options.storage ?? encryptedCookieStorage({ secret: SECRET }),
    ...(options.now !== undefined && { now: options.now }),
    onInvalidSession: (reason, detail) => reports.push([reason, detail]),
    migrateFrom: authjsSession<Data, Token>({
      secret: options.secret ?? AUTH_SECRET,
      map: (token) => ({ name: token.name ?? undefined, email: token.email ?? undefined }),
    }),
  });
  return { kit, reports };
}

async function page(kit: ReturnType<typeof setup>['kit'], cookies: Record<string, string>, url = HTTPS) {
  const response = await withSessionRequest({ cookies, url, readOnly: true }, async () => {
    const session = await kit.getSession();
    return {
      isNew: session.isNew,
      userId: session.userId,
      data: { ...session.data },
      has: await kit.hasSession(),
    };
  });
  expect(response.setCookies).toEqual([]);
  return response.result;
}

const signedIn = { isNew: false, userId: 'u-1', data: { name: 'ada', email: 'ada@example.com' }, has: true };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('authjsSession(): a valid Auth.js session cookie and no kit cookie', () => {
  it('on https: `__Secure-authjs.session-token` becomes the session, `sub` its user', async () => {
    const { kit, reports } = setup();
    const authjs = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada' });
    expect(Object.keys(authjs.cookies)).toEqual([SECURE]);
    expect(await page(kit, authjs.cookies)).toEqual(signedIn);
    expect(reports).toEqual([]);
  });

  it('on http: `authjs.session-token`', async () => {
    const { kit } = setup();
    const authjs = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada', secure: false });
    expect(Object.keys(authjs.cookies)).toEqual([PLAIN]);
    expect(await page(kit, authjs.cookies, 'http://app.test/')).toEqual(signedIn);
  });

  it('chunked by Auth.js (`.0`, `.1`, …): read whole, and every chunk cleared by the first write', async () => {
    const { kit } = setup();
    const authjs = await authjsSignIn({
      secret: AUTH_SECRET,
      name: 'ada',
      claims: { big: 'x'.repeat(6000) },
    });
    expect(Object.keys(authjs.cookies)).toEqual([`${SECURE}.0`, `${SECURE}.1`, `${SECURE}.2`]);
    expect(await page(kit, authjs.cookies)).toEqual(signedIn);

    const action = await withSessionRequest({ cookies: authjs.cookies, url: HTTPS }, async () => {
      await (await kit.getSession()).save();
    });
    expect(Object.keys(action.cookies)).toEqual(['__Host-session']);
    const cleared = action.setCookies.filter((write) => write.name.startsWith(SECURE));
    expect(cleared.map((write) => write.name).sort()).toEqual(Object.keys(authjs.cookies).sort());
    for (const write of cleared) {
      expect(write.value).toBe('');
      expect(write.options).toMatchObject({ maxAge: 0, secure: true, path: '/' });
    }
    expect(await page(kit, action.cookies)).toEqual(signedIn);
  });

  it('a chunked cookie with a chunk missing, or a whole cookie next to `.0`, is refused', async () => {
    const { kit, reports } = setup();
    const { cookies } = await authjsSignIn({
      secret: AUTH_SECRET,
      name: 'ada',
      claims: { big: 'x'.repeat(6000) },
    });
    const { [`${SECURE}.1`]: _dropped, ...gap } = cookies;
    const whole = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada' });
    for (const jar of [gap, { ...cookies, ...whole.cookies }]) {
      expect((await page(kit, jar))?.isNew).toBe(true);
    }
    expect(reports).toEqual([
      ['invalid', { source: 'authjs' }],
      ['invalid', { source: 'authjs' }],
    ]);
  });

  it('with a store, the first save creates a record bound to `sub`', async () => {
    const { kit } = setup({ storage: memoryStorage() });
    const authjs = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada', id: 'user-42' });
    const saved = await withSessionRequest({ cookies: authjs.cookies, url: HTTPS }, async () => {
      await (await kit.getSession()).save();
      return kit.listUserSessions('user-42');
    });
    expect(saved.result).toHaveLength(1);
    expect(Object.keys(saved.cookies)).toEqual(['__Host-session']);
  });

  it('the guard in proxy.ts carries it over on the first page load', async () => {
    const { kit } = setup();
    const proxy = kit.guard({ protect: ['/account'], loginPath: '/login' });
    const authjs = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada' });
    const cookie = Object.entries(authjs.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const response = await proxy(new NextRequest(new URL('/account', HTTPS), { headers: { cookie } }));
    expect(response.status).toBe(200);
    const set = response.cookies.getAll();
    expect(set.find((c) => c.name === '__Host-session')?.value).toBeTruthy();
    expect(set.find((c) => c.name === SECURE)).toMatchObject({ value: '', maxAge: 0, secure: true });
  });

  it('reads every token of a rotation (`secret: [new, old]`, newest first, as Auth.js takes it)', async () => {
    const { kit, reports } = setup({ secret: [AUTH_SECRET, OLD_AUTH_SECRET] });
    const before = await authjsSignIn({ secret: OLD_AUTH_SECRET, name: 'ada' });
    const after = await authjsSignIn({ secret: [AUTH_SECRET, OLD_AUTH_SECRET], name: 'ada' });
    expect(await page(kit, before.cookies)).toEqual(signedIn);
    expect(await page(kit, after.cookies)).toEqual(signedIn);
    expect(reports).toEqual([]);
  });

  it('a token without `kid` (older Auth.js) is opened with the first secret, as Auth.js does', async () => {
    const { kit } = setup();
    const key = await authjsKey(AUTH_SECRET, SECURE);
    const token = await new EncryptJWT({ sub: 'u-1', name: 'ada', email: 'ada@example.com' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256CBC-HS512' })
      .setIssuedAt()
      .setExpirationTime('1h')
      .encrypt(key);
    expect(await page(kit, { [SECURE]: token })).toEqual(signedIn);
  });

  it('a `dir` + A256GCM token, which Auth.js’s decode() also accepts, under its 32-byte key', async () => {
    const { kit } = setup();
    const key = new Uint8Array(
      (await import('node:crypto')).hkdfSync(
        'sha256',
        AUTH_SECRET,
        SECURE,
        `Auth.js Generated Encryption Key (${SECURE})`,
        32,
      ),
    );
    const token = await new EncryptJWT({ sub: 'u-1', name: 'ada', email: 'ada@example.com' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setExpirationTime('1h')
      .encrypt(key);
    expect(await page(kit, { [SECURE]: token })).toEqual(signedIn);
  });

  it('a token `encode`d by @auth/core/jwt with the cookie name as salt', async () => {
    const { kit } = setup();
    const token = await encode({
      token: { sub: 'u-1', name: 'ada', email: 'ada@example.com' },
      secret: AUTH_SECRET,
      salt: SECURE,
    });
    expect(await page(kit, { [SECURE]: token })).toEqual(signedIn);
  });
});

describe('authjsSession(): bad input gives a fresh session and a report naming authjs', () => {
  async function refused(
    cookies: Record<string, string>,
    options: Parameters<typeof setup>[0] = {},
    url = HTTPS,
  ) {
    const { kit, reports } = setup(options);
    expect(await page(kit, cookies, url)).toEqual({ isNew: true, userId: undefined, data: {}, has: false });
    const action = await withSessionRequest({ cookies, url }, async () => {
      await (await kit.getSession()).save();
    });
    expect(action.cookies).toEqual({});
    return reports;
  }
  const authjsReport = (reason: InvalidSessionReason) => [
    [reason, { source: 'authjs' }],
    [reason, { source: 'authjs' }],
  ];

  it('expired: `exp` is respected (a token encoded with a past expiry)', async () => {
    const token = await encode({
      token: { sub: 'u-1', name: 'ada' },
      secret: AUTH_SECRET,
      salt: SECURE,
      maxAge: -60,
    });
    expect(await refused({ [SECURE]: token })).toEqual(authjsReport('expired'));
  });

  it('expired: by the kit’s clock, once Auth.js’s maxAge has passed', async () => {
    const authjs = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada', maxAge: 3600 });
    const later = Date.now() + 3600 * 1000 + 60 * 1000;
    expect(await refused(authjs.cookies, { now: () => later })).toEqual(authjsReport('expired'));
  });

  it('tampered', async () => {
    const { cookies } = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada' });
    const parts = (cookies[SECURE] ?? '').split('.');
    const ciphertext = parts[3] ?? '';
    parts[3] = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
    expect(await refused({ [SECURE]: parts.join('.') })).toEqual(authjsReport('invalid'));
  });

  it('foreign: another app’s AUTH_SECRET (its kid is not ours)', async () => {
    const { cookies } = await authjsSignIn({ secret: 'a-stranger-auth-secret-000000000000000', name: 'ada' });
    expect(await refused(cookies)).toEqual(authjsReport('unknown-key'));
  });

  it('a secret rotated out', async () => {
    const { cookies } = await authjsSignIn({ secret: OLD_AUTH_SECRET, name: 'ada' });
    expect(await refused(cookies)).toEqual(authjsReport('unknown-key'));
  });

  it('moved to another cookie name (the name is the key’s salt)', async () => {
    const { cookies } = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada', secure: false });
    expect(await refused({ [SECURE]: cookies[PLAIN] ?? '' })).toEqual(authjsReport('unknown-key'));
  });

  it('a token without `exp`, or with another algorithm', async () => {
    const key = await authjsKey(AUTH_SECRET, SECURE);
    const noExp = await new EncryptJWT({ sub: 'u-1' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256CBC-HS512' })
      .encrypt(key);
    expect(await refused({ [SECURE]: noExp })).toEqual(authjsReport('invalid'));
    const gcm = await new EncryptJWT({ sub: 'u-1' })
      .setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM' })
      .setExpirationTime('1h')
      .encrypt(key.slice(0, 32));
    expect(await refused({ [SECURE]: gcm })).toEqual(authjsReport('invalid'));
  });

  it('not a token at all', async () => {
    expect(await refused({ [SECURE]: 'garbage' })).toEqual(authjsReport('invalid'));
  });

  it('a `map` that throws, or a `sub` that is no user id: reason `migration`', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { cookies } = await authjsSignIn({ secret: AUTH_SECRET, name: 'ada' });
    const reports: Array<[InvalidSessionReason, InvalidSessionDetail | undefined]> = [];
    const kit = createSessionKit<Data>({
      storage: encryptedCookieStorage({ secret: SECRET }),
      onInvalidSession: (reason, detail) => reports.push([reason, detail]),
      migrateFrom: authjsSession<Data>({
        secret: AUTH_SECRET,
        map: () => {
          throw new Error('boom');
        },
      }),
    });
    expect((await page(kit, cookies))?.isNew).toBe(true);
    const token = await encode({ token: { sub: 'x'.repeat(300) }, secret: AUTH_SECRET, salt: SECURE });
    const { kit: other, reports: otherReports } = setup();
    expect((await page(other, { [SECURE]: token }))?.isNew).toBe(true);
    expect([...reports, ...otherReports]).toEqual([
      ['migration', { source: 'authjs' }],
      ['migration', { source: 'authjs' }],
    ]);
  });
});

describe('authjsSession() options, checked at creation', () => {
  const map = (token: AuthjsToken) => ({ name: token.name ?? undefined });
  const create = (options: unknown) => () =>
    createSessionKit({
      storage: encryptedCookieStorage({ secret: SECRET }),
      migrateFrom: authjsSession(options as Parameters<typeof authjsSession>[0]),
    });

  it.each([
    ['no secret (AUTH_SECRET unset)', { secret: undefined, map }, /needs `secret`/],
    ['an empty secret', { secret: '', map }, /needs `secret`/],
    ['an empty list', { secret: [], map }, /needs `secret`/],
    ['no map', { secret: AUTH_SECRET }, /needs `map`/],
    [
      'a userId that is not a function',
      { secret: AUTH_SECRET, map, userId: 'sub' },
      /`userId` must be a function/,
    ],
    ['an unknown option', { secret: AUTH_SECRET, map, salt: 'x' }, /Unknown authjsSession\(\) option "salt"/],
    ['a bad cookie name', { secret: AUTH_SECRET, map, cookieName: 'a b' }, /cookies.sessionToken.name/],
  ])('%s', (_name, options, message) => {
    expect(create(options)).toThrow(SessionConfigError);
    expect(create(options)).toThrow(message);
  });

  it('during `next build` without AUTH_SECRET, the error waits for the server', () => {
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const source = authjsSession({ secret: process.env.NO_SUCH_SECRET as string, map });
    vi.unstubAllEnvs();
    expect(() =>
      createSessionKit({ storage: encryptedCookieStorage({ secret: SECRET }), migrateFrom: source }),
    ).toThrow(/needs `secret`/);
  });

  it('two sources may not read the same cookie', () => {
    const iron = ironSession({ password: 'iron-session-password-of-at-least-32-chars', cookieName: PLAIN });
    expect(() =>
      createSessionKit({
        storage: encryptedCookieStorage({ secret: SECRET }),
        migrateFrom: [authjsSession({ secret: AUTH_SECRET, map }), iron],
      }),
    ).toThrow(/Two `migrateFrom` sources/);
  });
});

/** Auth.js's derived A256CBC-HS512 key (HKDF-SHA256, salt = cookie name), computed independently with node:crypto. */
async function authjsKey(secret: string, salt: string): Promise<Uint8Array> {
  const { hkdfSync } = await import('node:crypto');
  const key = new Uint8Array(
    hkdfSync('sha256', secret, salt, `Auth.js Generated Encryption Key (${salt})`, 64),
  );
  expect(base64url.encode(key)).toHaveLength(86);
  return key;
}
