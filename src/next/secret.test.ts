import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../errors.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { sessionSecret } from './secret.ts';

const WARNED = Symbol.for('next-session-kit.dev-secret-warned');
const NEW = 'rotation-new-secret-that-is-long-enough-01';
const OLD = 'rotation-old-secret-that-is-long-enough-02';
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nsk-secret-'));
  delete (globalThis as { [WARNED]?: boolean })[WARNED];
  vi.stubEnv('SESSION_SECRET', '');
  vi.stubEnv('NEXT_PHASE', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('sessionSecret()', () => {
  it('reads SESSION_SECRET; a comma-separated list is [current, ...older] for rotation', () => {
    vi.stubEnv('SESSION_SECRET', ` ${NEW}`);
    expect(sessionSecret()).toBe(NEW);
    vi.stubEnv('SESSION_SECRET', `${NEW}, ${OLD} ,`);
    expect(sessionSecret()).toEqual([NEW, OLD]);
    vi.stubEnv('APP_SECRET', OLD);
    expect(sessionSecret({ env: 'APP_SECRET' })).toBe(OLD);
  });

  it('in production without a secret, refuses with a message that shows how to make one', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const attempt = () => sessionSecret({ devFile: join(dir, 'dev-secret') });
    expect(attempt).toThrow(SessionConfigError);
    expect(attempt).toThrow(
      /SESSION_SECRET is not set.*npx next-session-kit secret.*SESSION_SECRET=<secret>/,
    );
  });

  it.each([
    ['staging', 'staging'],
    ['Production (another case)', 'Production'],
    ['empty', ''],
    ['unset', undefined],
  ])('with NODE_ENV %s and no secret, refuses like production and writes no key', (_name, nodeEnv) => {
    vi.stubEnv('NODE_ENV', nodeEnv);
    const file = join(dir, 'dev-secret');
    const attempt = () => sessionSecret({ devFile: file });
    expect(attempt).toThrow(SessionConfigError);
    expect(attempt).toThrow(
      /SESSION_SECRET is not set.*NODE_ENV=development or test.*npx next-session-kit secret/,
    );
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a weak secret in the environment, naming the variable but not the secret', () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('SESSION_SECRET', 'abc'.repeat(11));
    expect(() => sessionSecret()).toThrow(/^SESSION_SECRET is too weak.*npx next-session-kit secret/);
    vi.stubEnv('SESSION_SECRET', `${NEW},short`);
    expect(() => sessionSecret()).toThrow(/^SESSION_SECRET \(entry 2 of 2\) must be a string of at least 32/);
    try {
      sessionSecret();
    } catch (error) {
      expect((error as Error).message).not.toContain(NEW);
    }
  });

  it('while `next build` collects page data, hands out a throwaway key instead of failing the build', () => {
    vi.stubEnv('NODE_ENV', 'production');
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    const key = sessionSecret({ devFile: join(dir, 'dev-secret') });
    expect(typeof key).toBe('string');
    expect(() => encryptedCookieStorage({ secret: key })).not.toThrow();
    expect(() => statSync(join(dir, 'dev-secret'))).toThrow(); // no file written
  });

  it('in development, generates one key in a git-ignored 0600 file, reuses it after a restart, warns once', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const file = join(dir, 'keys', 'dev-secret');
    const first = sessionSecret({ devFile: file });
    expect(typeof first).toBe('string');
    expect((first as string).length).toBeGreaterThanOrEqual(43);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'keys', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
    expect(sessionSecret({ devFile: file })).toBe(first);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /development key kept in .*dev-secret.*npx next-session-kit secret/,
    );
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(first as string);
    // A restart: a new process reads the same file.
    delete (globalThis as { [WARNED]?: boolean })[WARNED];
    expect(sessionSecret({ devFile: file })).toBe(first);
  });

  it('generates a key under NODE_ENV=test too', () => {
    vi.stubEnv('NODE_ENV', 'test');
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const file = join(dir, 'dev-secret');
    expect(sessionSecret({ devFile: file })).toBe(readFileSync(file, 'utf8').trim());
  });

  it.each([0o644, 0o640, 0o604, 0o620, 0o602, 0o666].map((mode) => [mode.toString(8), mode] as const))(
    'refuses a development key file with mode 0%s (others can read or change it), saying how to fix it',
    (_octal, mode) => {
      vi.stubEnv('NODE_ENV', 'development');
      vi.spyOn(console, 'warn').mockImplementation(() => {});
      const file = join(dir, 'dev-secret');
      const key = sessionSecret({ devFile: file }) as string;
      chmodSync(file, mode);
      const attempt = () => sessionSecret({ devFile: file });
      expect(attempt).toThrow(SessionConfigError);
      expect(attempt).toThrow(/other users.*chmod 600 .*dev-secret.*delete it/);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).message).not.toContain(key);
      }
      chmodSync(file, 0o600);
      expect(sessionSecret({ devFile: file })).toBe(key);
    },
  );

  it('refuses a development key file that holds a weak secret', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const file = join(dir, 'dev-secret');
    writeFileSync(file, `${'a'.repeat(43)}\n`, { mode: 0o600 });
    expect(() => sessionSecret({ devFile: file })).toThrow(/Delete the file to generate a new one/);
  });

  it('refuses a development key file that holds no valid secret, saying how to fix it', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const file = join(dir, 'dev-secret');
    writeFileSync(file, 'short\n', { mode: 0o600 });
    expect(() => sessionSecret({ devFile: file })).toThrow(/Delete the file to generate a new one/);
    expect(() => sessionSecret({ env: 'NOT A NAME' })).toThrow(/`env` must be the name/);
  });
});
