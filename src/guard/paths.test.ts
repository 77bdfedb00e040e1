import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../errors.ts';
import { compileProtect, normalizePath } from './paths.ts';

describe('protect patterns', () => {
  const isProtected = compileProtect(['/dashboard', '/settings/:path*', '/u/:id', '/files/:rest+']);

  it.each([
    ['/dashboard', true],
    ['/dashboard/', true],
    ['/dashboard/deep/page', true],
    ['/dashboardx', false],
    ['/settings', true],
    ['/settings/a/b', true],
    ['/u/1', true],
    ['/u/1/2', true],
    ['/u', false],
    ['/files', false],
    ['/files/a', true],
    ['/', false],
    ['/login', false],
    ['//dashboard', true],
    ['/%64ashboard', true],
    ['/x/../dashboard', true],
    ['/./dashboard', true],
    // An encoded slash is part of a segment name, not a way out of the directory.
    ['/dashboard/..%2F', true],
    ['/dashboard/..%2f..%2flogin', true],
    ['/dashboard/%2e%2e%2F', true],
    ['/settings/..%2F..%2F', true],
    ['/settings/a%2F%2Fb', true],
    ['/files/%2F', true],
    ['/u/1/..%2F..%2F', true],
    ['/dashboard//..', true],
    ['/dashboard/%2e%2e', false],
    ['/%64ashboard/%E0%A4%A', true],
  ])('%s → %s', (path, expected) => {
    expect(isProtected(path)).toBe(expected);
  });

  it('accepts a predicate', () => {
    const p = compileProtect((path) => path.startsWith('/admin'));
    expect(p('/admin/x')).toBe(true);
    expect(p('/')).toBe(false);
  });

  it('"/" protects everything', () => {
    expect(compileProtect(['/'])('/anything')).toBe(true);
  });

  it('rejects malformed patterns at creation', () => {
    for (const bad of ['dashboard', '/a b', '/a?x', '/a\\b', '/a/*', '/:']) {
      expect(() => compileProtect([bad])).toThrow(SessionConfigError);
    }
  });

  it('normalizes paths', () => {
    expect(normalizePath('/%64ashboard//x/../y')).toBe('/dashboard/y');
    expect(normalizePath('/%E0%A4%A')).toBe('/%E0%A4%A');
    expect(normalizePath('/a/..%2F/b')).toBe('/a/..%2F/b');
    expect(normalizePath('/a/%2E%2e/b')).toBe('/b');
  });
});
