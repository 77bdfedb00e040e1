import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../errors.ts';
import { createSessionKit } from '../next/kit.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import { resolveLive } from './options.ts';

function refused(option: unknown): SessionConfigError {
  try {
    resolveLive(option);
  } catch (error) {
    if (error instanceof SessionConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(option)}`);
}

describe('resolveLive', () => {
  it('off by default; defaults filled in', () => {
    expect(resolveLive(undefined)).toBeUndefined();
    expect(resolveLive(false)).toBeUndefined();
    expect(resolveLive({ endpoint: '/api/session/client' })).toEqual({
      endpoint: '/api/session/client',
      interval: undefined,
      focus: true,
    });
    expect(resolveLive({ endpoint: '/shop/api/me', interval: 300, focus: false })).toEqual({
      endpoint: '/shop/api/me',
      interval: 300,
      focus: false,
    });
  });

  it('the endpoint must be a path on this site, as the browser would fetch it', () => {
    for (const endpoint of [
      'api/session',
      '//evil.example/api',
      '/\\evil.example/api',
      'https://evil.example/api',
      'javascript:alert(1)',
      '/api/session?x=1',
      '/api/session#x',
      '/api/../session',
      '/api/./session',
      '/api/se ssion',
      '/api/\tsession',
      '/api/séance',
      `/${'a'.repeat(1024)}`,
      '',
      42,
      null,
    ]) {
      expect(refused({ endpoint }).message, String(endpoint)).toMatch(/`live.endpoint` must be a path/);
    }
    expect(refused({}).message).toMatch(/`live.endpoint`/);
  });

  it('interval: whole seconds from 5 to a day; focus: a boolean; no other keys', () => {
    for (const interval of [0, 4, 86_401, 1.5, '60', Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(refused({ endpoint: '/s', interval }).message, String(interval)).toMatch(/`live.interval`/);
    }
    expect(resolveLive({ endpoint: '/s', interval: 5 })?.interval).toBe(5);
    expect(resolveLive({ endpoint: '/s', interval: 86_400 })?.interval).toBe(86_400);
    expect(refused({ endpoint: '/s', focus: 'yes' }).message).toMatch(/`live.focus`/);
    expect(refused({ endpoint: '/s', polling: 5 }).message).toMatch(
      /Unknown `live` option "polling".*endpoint, interval, focus/,
    );
    for (const option of [true, '/api/session/client', ['/s'], null]) {
      expect(refused(option).message).toMatch(/`live` must be an object/);
    }
  });
});

describe('createSessionKit({ live })', () => {
  it('is checked at creation, and needs expose', () => {
    const storage = simpleCookieStorage();
    expect(() => createSessionKit({ storage, expose: ['user'], live: { endpoint: 'x' } })).toThrow(
      SessionConfigError,
    );
    expect(() => createSessionKit({ storage, live: { endpoint: '/api/session/client' } })).toThrow(
      /`live` needs `expose`/,
    );
    expect(() =>
      createSessionKit({ storage, expose: ['user'], live: { endpoint: '/api/session/client' } }),
    ).not.toThrow();
  });
});
