import { describe, expect, it } from 'vitest';
import { SessionConfigError, SessionError } from './errors.ts';
import { resolveKitOptions, type SessionKitOptions } from './options.ts';
import { encryptedCookieStorage } from './storage/encrypted-cookie.ts';
import { simpleCookieStorage } from './storage/simple-cookie.ts';

const SECRET = 'options-test-secret-that-is-long-enough-01';
const storage = encryptedCookieStorage({ secret: SECRET });

function configError(fn: () => unknown): SessionConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError);
    expect(error).toBeInstanceOf(SessionError);
    expect((error as SessionConfigError).code).toBe('ERR_SESSION_CONFIG');
    return error as SessionConfigError;
  }
  throw new Error('expected a SessionConfigError');
}

describe('createSessionKit options', () => {
  it('applies secure defaults', () => {
    const resolved = resolveKitOptions({ storage });
    expect(resolved.cookieName).toBe('session');
    expect(resolved.maxAge).toBe(60 * 60 * 24 * 14);
    expect(resolved.idleTimeout).toBeUndefined();
    expect(resolved.cookie).toEqual({
      domain: undefined,
      path: '/',
      sameSite: 'lax',
      secure: 'auto',
      httpOnly: true,
      prefix: 'auto',
    });
  });

  it('requires a storage', () => {
    expect(configError(() => resolveKitOptions({} as SessionKitOptions)).message).toMatch(
      /encryptedCookieStorage/,
    );
  });

  it('rejects unknown options (typos) by name', () => {
    const error = configError(() =>
      resolveKitOptions({ storage, maxage: 5 } as unknown as SessionKitOptions),
    );
    expect(error.message).toMatch(/Unknown option "maxage"/);
  });

  it.each([
    ['bad;name'],
    ['bad name'],
    ['bad\r\nSet-Cookie: x=y'],
    ['sëssion'],
    ['a=b'],
    [''],
    ['session.0'],
    ['x'.repeat(200)],
  ])('rejects cookie name %j', (cookieName) => {
    configError(() => resolveKitOptions({ storage, cookieName }));
  });

  it.each([[0], [-1], [1.5], [401 * 24 * 3600], [Number.NaN], ['60']])('rejects maxAge %j', (maxAge) => {
    expect(configError(() => resolveKitOptions({ storage, maxAge: maxAge as number })).message).toMatch(
      /whole number of seconds/,
    );
  });

  it('rejects an idleTimeout longer than maxAge', () => {
    configError(() => resolveKitOptions({ storage, maxAge: 100, idleTimeout: 101 }));
  });

  it.each([
    [{ domain: 'example.com; Secure' }],
    [{ domain: 'example.com\r\nX: y' }],
    [{ domain: 'exämple.com' }],
    [{ domain: 'https://example.com' }],
    [{ domain: 'example.com:443' }],
    [{ path: 'relative' }],
    [{ path: '/a;b' }],
    [{ path: '/a\nb' }],
    [{ path: '/ä' }],
    [{ path: '/a b' }],
    [{ sameSite: 'Lax' }],
    [{ secure: 'yes' }],
    [{ httpOnly: 'true' }],
    [{ sameSite: 'none', secure: false }],
    [{ partitioned: true }],
  ])('rejects cookie options %j', (cookie) => {
    configError(() => resolveKitOptions({ storage, cookie: cookie as SessionKitOptions['cookie'] }));
  });

  it('enforces __Host- rules', () => {
    expect(
      configError(() =>
        resolveKitOptions({ storage, cookieName: '__Host-s', cookie: { domain: 'example.com' } }),
      ).message,
    ).toMatch(/must not have a Domain/);
    configError(() => resolveKitOptions({ storage, cookieName: '__Host-s', cookie: { path: '/app' } }));
    configError(() => resolveKitOptions({ storage, cookieName: '__Host-s', cookie: { secure: false } }));
    configError(() => resolveKitOptions({ storage, cookieName: '__Secure-s', cookie: { secure: false } }));
    expect(resolveKitOptions({ storage, cookieName: '__Host-s' }).cookieName).toBe('__Host-s');
  });

  it('accepts a valid full configuration', () => {
    const resolved = resolveKitOptions({
      storage,
      cookieName: 'app_session',
      maxAge: 3600,
      idleTimeout: 600,
      cookie: { domain: '.example.com', path: '/app', sameSite: 'strict', secure: true, httpOnly: true },
      onInvalidSession: () => {},
    });
    expect(resolved.idleTimeout).toBe(600);
    expect(resolved.cookie.domain).toBe('.example.com');
  });
});

describe('encryptedCookieStorage options', () => {
  it('rejects a missing or short secret without echoing it', () => {
    configError(() => encryptedCookieStorage({} as { secret: string }));
    const error = configError(() => encryptedCookieStorage({ secret: 'short-secret-value' }));
    expect(error.message).not.toContain('short-secret-value');
    expect(error.message).toMatch(/at least 32 characters/);
    expect(error.message).toMatch(/npx next-session-kit secret/);
  });

  it.each([
    ['one repeated character', 'a'.repeat(32)],
    ['a short cycle', 'abc'.repeat(11)],
    ['a repeated word', 'password'.repeat(4)],
    ['a run of the alphabet', 'abcdefghijklmnopqrstuvwxyz012345'],
    ['two different characters', 'abababbbaabababbbbabaaababbababa'],
  ])('refuses a secret that cannot hold 128 bits (%s), saying how to make one', (_name, weak) => {
    const error = configError(() => encryptedCookieStorage({ secret: weak }));
    expect(error.message).toMatch(/^`secret` is too weak/);
    expect(error.message).toMatch(/128 bits/);
    expect(error.message).toMatch(/npx next-session-kit secret/);
    expect(error.message).not.toContain(weak.slice(0, 8));
    const rotated = configError(() => encryptedCookieStorage({ secret: [SECRET, weak] }));
    expect(rotated.message).toMatch(/^`secret\[1\]` is too weak/);
  });

  it('checks every secret in a rotation list', () => {
    const error = configError(() => encryptedCookieStorage({ secret: [SECRET, 'too-short'] }));
    expect(error.message).toMatch(/secret\[1\]/);
    configError(() => encryptedCookieStorage({ secret: [] }));
    configError(() => encryptedCookieStorage({ secret: [SECRET, SECRET] }));
  });

  it('validates maxChunks and crypto', () => {
    configError(() => encryptedCookieStorage({ secret: SECRET, maxChunks: 0 }));
    configError(() => encryptedCookieStorage({ secret: SECRET, maxChunks: 17 }));
    configError(() => encryptedCookieStorage({ secret: SECRET, crypto: 'fast' as 'node' }));
    configError(() => encryptedCookieStorage({ secret: SECRET, ttl: 5 } as unknown as { secret: string }));
  });

  it('simpleCookieStorage validates maxChunks', () => {
    configError(() => simpleCookieStorage({ maxChunks: 0 }));
  });
});
