import { describe, expect, it } from 'vitest';
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
      expect(() => compileProtect([bad])).toThrow(TypeError);
    }
  });

  it('normalizes paths', () => {
    expect(normalizePath('/%64ashboard//x/../y')).toBe('/dashboard/y');
    expect(normalizePath('/%E0%A4%A')).toBe('/%E0%A4%A');
  });
});
