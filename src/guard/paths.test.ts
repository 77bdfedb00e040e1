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

  // What the guard gets: the URL parser keeps these percent-encoded, and
  // normalizePath decodes them.
  const routed = (raw: string) => new URL(raw, 'http://app.test').pathname;

  it.each([
    ['/dashboard/projects/%0A42', ['/dashboard']],
    ['/dashboard/x%0D', ['/dashboard']],
    ['/dashboard/%E2%80%A8a', ['/dashboard']],
    ['/dashboard/%E2%80%A9', ['/dashboard']],
    ['/dashboard/%0A/%0D/x', ['/dashboard']],
    ['/settings/%E2%80%A8a', ['/']],
    ['/%0A', ['/']],
    ['/api/private/%0D7', ['/api/private']],
    ['/api/private/%0D7', ['/api/private/:id']],
    ['/api/private/a/%0D7', ['/api/:rest*']],
    ['/u/%0A/profile', ['/u/:id/profile']],
  ])('protects %s, holding a line terminator, under %j', (raw, protect) => {
    expect(compileProtect(protect)(routed(raw))).toBe(true);
  });

  // Fail closed: a path that holds a control character after decoding is
  // protected whatever the patterns say, and whatever a predicate says.
  const CONTROLS = [
    '%00',
    '%01',
    '%09',
    '%0A',
    '%0B',
    '%0C',
    '%0D',
    '%1B',
    '%1F',
    '%7F',
    '%C2%80',
    '%C2%85',
    '%C2%9F',
    '%E2%80%A8',
    '%E2%80%A9',
    // Invisible format characters: bidi controls, zero-width space, BOM, soft hyphen.
    '%E2%80%AE',
    '%E2%81%A6',
    '%E2%80%8B',
    '%EF%BB%BF',
    '%C2%AD',
    '%D8%9C',
  ];
  it.each(CONTROLS)('a path holding %s is protected, even where no pattern applies', (control) => {
    const list = compileProtect(['/dashboard']);
    const naive = compileProtect((path) => /^\/dashboard(?:\/.*)?$/.test(path));
    for (const raw of [
      `/public/${control}`,
      `/public/a${control}b`,
      `/${control}`,
      `/dashboard/${control}`,
    ]) {
      expect(list(routed(raw))).toBe(true);
      expect(naive(routed(raw))).toBe(true);
    }
  });

  it('ordinary text is no control character: ZWJ/ZWNJ words and emoji, spaces, accents', () => {
    const list = compileProtect(['/dashboard']);
    for (const raw of [
      '/blog/%D9%85%DB%8C%E2%80%8C%D8%AE%D9%88%D8%A7%D9%87%D9%85', // Persian, with a ZWNJ
      '/blog/%F0%9F%91%A8%E2%80%8D%F0%9F%91%A9%E2%80%8D%F0%9F%91%A7', // a ZWJ emoji sequence
      '/blog/caf%C3%A9',
      '/blog/my%20post',
      '/blog/%F0%9F%8F%B4%F3%A0%81%A7%F3%A0%81%A2%F3%A0%81%B3%F3%A0%81%A3%F3%A0%81%B4%F3%A0%81%BF', // a tag-sequence flag
    ]) {
      expect(list(routed(raw))).toBe(false);
    }
  });

  it('hands a predicate the path the router resolves: decoded, without dot segments or "//"', () => {
    const seen: string[] = [];
    const isProtected = compileProtect((path) => {
      seen.push(path);
      return path.startsWith('/admin');
    });
    expect(isProtected('/%61dmin/x')).toBe(true);
    expect(isProtected('//admin')).toBe(true);
    expect(isProtected('/x/%2e%2e/admin')).toBe(true);
    expect(isProtected('/public')).toBe(false);
    expect(seen).toEqual(['/admin/x', '/admin', '/admin', '/public']);
  });

  it('normalizes paths', () => {
    expect(normalizePath('/%64ashboard//x/../y')).toBe('/dashboard/y');
    expect(normalizePath('/%E0%A4%A')).toBe('/%E0%A4%A');
    expect(normalizePath('/a/..%2F/b')).toBe('/a/..%2F/b');
    expect(normalizePath('/a/%2E%2e/b')).toBe('/b');
  });
});
