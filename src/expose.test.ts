import { describe, expect, it } from 'vitest';
import { SessionConfigError } from './errors.ts';
import { resolveExpose } from './expose.ts';

function configError(fn: () => unknown): SessionConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SessionConfigError);
    return error as SessionConfigError;
  }
  throw new Error('expected a SessionConfigError');
}

const SECRET_VALUE = 'hunter2-do-not-leak';

describe('expose: a list of keys', () => {
  it('picks only the listed keys that hold a value', () => {
    const expose = resolveExpose(['user', 'theme', 'missing']);
    const data = { user: 'ada', theme: 'dark', role: 'admin', token: SECRET_VALUE, missing: undefined };
    const snapshot = expose(data);
    expect(snapshot).toEqual({ user: 'ada', theme: 'dark' });
    expect(Object.keys(snapshot)).toEqual(['user', 'theme']);
    const json = JSON.stringify(snapshot);
    expect(json).not.toContain('admin');
    expect(json).not.toContain(SECRET_VALUE);
  });

  it('copies deeply: later changes to the session do not reach the snapshot', () => {
    const prefs = { theme: 'dark', tags: ['a'] };
    const snapshot = resolveExpose(['prefs'])({ prefs });
    prefs.theme = 'light';
    prefs.tags.push('b');
    expect(snapshot).toEqual({ prefs: { theme: 'dark', tags: ['a'] } });
    expect(snapshot.prefs).not.toBe(prefs);
  });

  it('builds plain objects (what React can pass to a client component), with __proto__ kept as data', () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "user": "ada"}') as Record<string, unknown>;
    const snapshot = resolveExpose(['__proto__', 'user'])(data);
    expect(Object.getPrototypeOf(snapshot)).toBe(Object.prototype);
    expect(Object.hasOwn(snapshot, '__proto__')).toBe(true);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(data);
  });

  it('without the option, client components get an empty object', () => {
    expect(resolveExpose(undefined)({ user: 'ada' })).toEqual({});
  });

  it('is validated once, at creation', () => {
    expect(configError(() => resolveExpose('user')).message).toMatch(/list of session keys/);
    expect(configError(() => resolveExpose({ user: true })).message).toMatch(/list of session keys/);
    expect(configError(() => resolveExpose([''])).message).toMatch(/non-empty strings/);
    expect(configError(() => resolveExpose([1])).message).toMatch(/non-empty strings/);
    expect(configError(() => resolveExpose(['user', 'user'])).message).toMatch(/"user" twice/);
    const many = Array.from({ length: 257 }, (_, i) => `k${i}`);
    expect(configError(() => resolveExpose(many)).message).toMatch(/at most 256/);
  });
});

describe('expose: a function', () => {
  it('returns what the function builds, as JSON only', () => {
    const expose = resolveExpose((data: { user?: string; role?: string }) => ({
      name: data.user,
      isAdmin: data.role === 'admin',
      nothing: undefined,
      list: [1, 'two', null, { deep: true }],
    }));
    const snapshot = expose({ user: 'ada', role: 'admin', token: SECRET_VALUE });
    expect(snapshot).toEqual({ name: 'ada', isAdmin: true, list: [1, 'two', null, { deep: true }] });
    expect(Object.hasOwn(snapshot, 'nothing')).toBe(false);
    expect(JSON.stringify(snapshot)).not.toContain(SECRET_VALUE);
  });

  it('refuses values that are not JSON, naming where they are but not what they hold', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ since: new Date() }, /expose\(\)\.since is a Date/],
      [{ map: new Map([['k', SECRET_VALUE]]) }, /expose\(\)\.map is a Map/],
      [{ n: Number.NaN }, /expose\(\)\.n is a non-finite number/],
      [{ n: Number.POSITIVE_INFINITY }, /non-finite number/],
      [{ big: 10n }, /expose\(\)\.big is a bigint/],
      [{ fn: () => SECRET_VALUE }, /expose\(\)\.fn is a function/],
      [{ sym: Symbol(SECRET_VALUE) }, /is a symbol/],
      [{ list: [1, undefined] }, /expose\(\)\.list\[1\] is undefined/],
      [{ nested: { at: new (class Secret {})() } }, /expose\(\)\.nested\.at is a Secret/],
    ];
    for (const [result, message] of cases) {
      const error = configError(() => resolveExpose(() => result)({}));
      expect(error.message).toMatch(message);
      expect(error.message).toMatch(/JSON only/);
      expect(error.message).not.toContain(SECRET_VALUE);
    }
  });

  it('refuses a result that is not a plain object', () => {
    for (const result of [null, 'ada', ['ada'], new Date(), undefined]) {
      expect(configError(() => resolveExpose(() => result)({})).message).toMatch(
        /must return a plain object/,
      );
    }
  });

  it('refuses cycles and absurd nesting instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(configError(() => resolveExpose(() => ({ cyclic }))({})).message).toMatch(/circular reference/);
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100; i++) deep = { deep };
    expect(configError(() => resolveExpose(() => deep)({})).message).toMatch(/nested deeper than 32/);
  });

  it('a shared (not circular) object may appear twice', () => {
    const shared = { a: 1 };
    expect(resolveExpose(() => ({ x: shared, y: shared }))({})).toEqual({ x: { a: 1 }, y: { a: 1 } });
  });

  it('the list form refuses non-JSON data too (e.g. set in this request, not yet saved)', () => {
    expect(configError(() => resolveExpose(['since'])({ since: new Date() })).message).toMatch(
      /value at since is a Date/,
    );
  });

  it('says how to hand over a Python int beyond 2^53 (a bigint) or a NaN', () => {
    const big = configError(() => resolveExpose(['user_id'])({ user_id: 1234567890123456789n }));
    expect(big.message).toMatch(/value at user_id is a bigint/);
    expect(big.message).toMatch(/String\(data\.user_id\)/);
    expect(big.message).not.toContain('1234567890123456789');
    const nan = configError(() => resolveExpose(['ratio'])({ ratio: Number.NaN }));
    expect(nan.message).toMatch(/value at ratio is a non-finite number.*Number\.isFinite/);
  });
});
