import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../errors.ts';
import { matchSegments, type PatternToken, parsePattern, type StepMeter } from './path-pattern.ts';
import { compileProtect } from './paths.ts';

const segmentsOf = (path: string) => path.split('/').filter((s) => s !== '');

describe('parsePattern', () => {
  it.each<[string, PatternToken[]]>([
    ['/', [{ kind: 'any' }]],
    ['/dashboard', [{ kind: 'literal', text: 'dashboard' }, { kind: 'any' }]],
    ['/dashboard/', [{ kind: 'literal', text: 'dashboard' }, { kind: 'any' }]],
    ['/settings/:path*', [{ kind: 'literal', text: 'settings' }, { kind: 'any' }]],
    ['/u/:id', [{ kind: 'literal', text: 'u' }, { kind: 'one' }, { kind: 'any' }]],
    ['/files/:rest+', [{ kind: 'literal', text: 'files' }, { kind: 'one' }, { kind: 'any' }]],
    ['/:a*/admin', [{ kind: 'any' }, { kind: 'literal', text: 'admin' }]],
    ['//a//b', [{ kind: 'literal', text: 'a' }, { kind: 'literal', text: 'b' }, { kind: 'any' }]],
  ])('%s', (pattern, tokens) => {
    expect(parsePattern(pattern)).toEqual(tokens);
  });

  it('refuses what it cannot match', () => {
    for (const bad of ['dashboard', '/a b', '/a?x', '/a#x', '/a\\b', '/a/*', '/:', '/a:b', '/:a?', 42]) {
      expect(() => parsePattern(bad)).toThrow(SessionConfigError);
    }
  });
});

describe('matchSegments', () => {
  it.each([
    ['/:a*/:b*/:c*/admin', '/admin', true],
    ['/:a*/:b*/:c*/admin', '/x/y/z/w/admin', true],
    ['/:a*/:b*/:c*/admin', '/x/admin/y', false],
    ['/:a+/admin', '/admin', false],
    ['/:a+/admin', '/x/admin', true],
    ['/u/:id/edit', '/u/1/edit', true],
    ['/u/:id/edit', '/u/1/2/edit', false],
    ['/u/:id/edit', '/u/1/edit/more', true],
    ['/u/:id', '/u/1/more', true],
    ['/files/:rest*', '/files', true],
    ['/files/:rest*', '/filesx', false],
    ['/', '/', true],
    ['/x', '/', false],
  ])('%s on %s → %s', (pattern, path, expected) => {
    expect(matchSegments(parsePattern(pattern), segmentsOf(path))).toBe(expected);
  });

  it('compares a segment as text: line terminators and controls are ordinary characters', () => {
    const tokens = parsePattern('/a/:id/b');
    for (const odd of ['\n', '\r', '\u2028', '\u2029', '\0', '\u0085', '.*', '$']) {
      expect(matchSegments(tokens, ['a', `x${odd}y`, 'b'])).toBe(true);
      expect(matchSegments(tokens, [`a${odd}`, 'x', 'b'])).toBe(false);
    }
  });

  // The regex this replaced backtracked: ~29 s for one 8,000-character path
  // on this pattern. Steps are counted, not timed.
  it('costs at most 2 × tokens × (segments + 1) steps, so linear in the path length', () => {
    const patterns = ['/:a*/:b*/:c*/admin', '/:a+/:b+/:c+/:d+/x', '/:a*/b/:c*/b/:d*/b/:e*', '/dashboard'];
    for (const pattern of patterns) {
      const tokens = parsePattern(pattern);
      const cost = (count: number) => {
        const meter: StepMeter = { steps: 0 };
        const segments = [...Array.from({ length: count }, () => 'b'), 'x'];
        matchSegments(tokens, segments, meter);
        return meter.steps;
      };
      for (const count of [10, 100, 1000, 4000]) {
        expect(cost(count)).toBeLessThanOrEqual(2 * tokens.length * (count + 2));
      }
      // Twice the path, at most twice the work (plus the fixed start).
      expect(cost(4000)).toBeLessThanOrEqual(2 * cost(2000) + 2 * tokens.length);
    }
  });

  it('answers an 8,000-character adversarial path through compileProtect', () => {
    const isProtected = compileProtect(['/:a*/:b*/:c*/admin']);
    const body = '/a'.repeat(3999);
    expect(isProtected(`${body}/x`)).toBe(false);
    expect(isProtected(`${body}/admin`)).toBe(true);
    expect(isProtected(`${body}/admin/`)).toBe(true);
  });
});
