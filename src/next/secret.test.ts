import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionConfigError } from '../errors.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { sessionSecret } from './secret.ts';

const WARNED = Symbol.for('next-session-kit.dev-secret-warned');
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
    vi.stubEnv('SESSION_SECRET', ' a'.padEnd(40, 'x'));
    expect(sessionSecret()).toBe('a'.padEnd(39, 'x'));
    vi.stubEnv('SESSION_SECRET', `${'n'.repeat(40)}, ${'o'.repeat(40)} ,`);
    expect(sessionSecret()).toEqual(['n'.repeat(40), 'o'.repeat(40)]);
    vi.stubEnv('APP_SECRET', 'z'.repeat(40));
    expect(sessionSecret({ env: 'APP_SECRET' })).toBe('z'.repeat(40));
  });

  it('in production without a secret, refuses with a message that shows how to make one', () => {
    vi.stubEnv('NODE_ENV', 'production');
    const attempt = () => sessionSecret({ devFile: join(dir, 'dev-secret') });
    expect(attempt).toThrow(SessionConfigError);
    expect(attempt).toThrow(
      /SESSION_SECRET is not set.*npx next-session-kit secret.*SESSION_SECRET=<secret>/,
    );
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

  it('refuses a development key file that holds no valid secret, saying how to fix it', () => {
    vi.stubEnv('NODE_ENV', 'development');
    const file = join(dir, 'dev-secret');
    writeFileSync(file, 'short\n');
    expect(() => sessionSecret({ devFile: file })).toThrow(/Delete the file to generate a new one/);
    expect(() => sessionSecret({ env: 'NOT A NAME' })).toThrow(/`env` must be the name/);
  });
});
