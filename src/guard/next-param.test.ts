import { describe, expect, it } from 'vitest';
import { safeNextPath } from './next-param.ts';

describe('safeNextPath (no open redirects)', () => {
  it.each([
    ['/', '/'],
    ['/account', '/account'],
    ['/account?tab=1#x', '/account?tab=1#x'],
    ['/a/../b', '/b'],
  ])('accepts %j', (input, expected) => {
    expect(safeNextPath(input, '/home')).toBe(expected);
  });

  it.each([
    ['https://evil.example'],
    ['http:/evil.example'],
    ['//evil.example'],
    ['///evil.example'],
    ['/\\evil.example'],
    ['\\\\evil.example'],
    ['/%2F/evil.example'],
    ['/%2f%2fevil.example'],
    ['%2F%2Fevil.example'],
    ['/%5Cevil.example'],
    ['/%252F%252Fevil.example'],
    ['/\t/evil.example'],
    ['/\n/evil.example'],
    ['javascript:alert(1)'],
    ['evil.example'],
    [''],
    [null],
    [42],
    ['/%E0%A4%A'],
    [`/${'a'.repeat(3000)}`],
    // Dot segments that collapse into a protocol-relative path.
    ['/a/..//evil.example'],
    ['/.//evil.example'],
    ['/..//evil.example'],
    ['/%2e%2e//evil.example'],
    ['/%2E/%2e%2E//evil.example'],
    ['/a/../%2F/evil.example'],
  ])('refuses %j', (input) => {
    expect(safeNextPath(input, '/home')).toBe('/home');
  });
});
