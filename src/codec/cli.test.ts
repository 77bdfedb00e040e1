import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { estimateSecretBits, MIN_SECRET_BITS } from './secret-strength.ts';

const BIN = fileURLToPath(new URL('../../bin/next-session-kit.mjs', import.meta.url));

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const { status, stdout, stderr } = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { status, stdout, stderr };
}

describe('next-session-kit CLI', () => {
  it('`secret` prints 32 random bytes as base64url', () => {
    const first = run('secret');
    const second = run('secret');
    expect(first.status).toBe(0);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(Buffer.from(first.stdout.trim(), 'base64url')).toHaveLength(32);
    expect(second.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(second.stdout).not.toBe(first.stdout);
  });

  it('`secret` prints secrets the kit accepts, far above the strength it requires', () => {
    // The generator itself is checked over 20,000 outputs in secret-strength.test.ts.
    for (let i = 0; i < 5; i++) {
      const secret = run('secret').stdout.trim();
      expect(estimateSecretBits(secret)).toBeGreaterThan(MIN_SECRET_BITS + 64);
      expect(() => encryptedCookieStorage({ secret })).not.toThrow();
    }
  });

  it.each([[], ['--help'], ['-h'], ['help']])('prints usage for %j and exits 0', (...args: string[]) => {
    const { status, stdout, stderr } = run(...args);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: next-session-kit <command>/);
    expect(stdout).toContain('secret');
    expect(stdout).toMatch(/^ {2}init {8}Set up sessions in this Next\.js 16 app/m);
    expect(stderr).toBe('');
  });

  it.each([['frobnicate'], ['secret', 'extra']])('rejects %j with exit code 1', (...args: string[]) => {
    const { status, stdout, stderr } = run(...args);
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^next-session-kit: (unknown command|unexpected argument)/);
  });
});
