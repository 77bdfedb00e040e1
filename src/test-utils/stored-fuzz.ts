// What the fuzz suites of stored sessions share (src/fuzz/store.fuzz.test.ts,
// src/fuzz/sql.fuzz.test.ts): keys and values of damaged or hostile records,
// an engine that reports what onInvalidSession heard, and the check of a
// session that loaded.
import fc from 'fast-check';
import { expect } from 'vitest';
import { SessionEngine } from '../engine.ts';
import { SessionError } from '../errors.ts';
import type { SessionImpl } from '../session.ts';
import type { SessionStorage } from '../storage/types.ts';
import type { InvalidSessionReason } from '../types.ts';
import { expectPrototypesIntact } from './fuzz.ts';
import { applyEdits, edits, hostileString, listJar, pollutingJson } from './hostile.ts';

/** Keys that try to reach prototypes, and any short key. */
export const pollutingKey = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'polluted', ''),
  },
  fc.string({ maxLength: 8 }),
);

/** A stored value: mostly what the kit writes ("j" + JSON), else damaged or foreign. */
export const storedValue = fc.oneof(
  { weight: 6, arbitrary: pollutingJson().map((value) => `j${JSON.stringify(value)}`) },
  fc.constantFrom(
    'j',
    'garbage',
    '',
    'j{',
    'jnull',
    'J1',
    ' j1',
    'j1 ',
    'j"\\ud800"',
    'j{"__proto__":{"polluted":1}}',
  ),
  fc
    .tuple(pollutingJson(), edits())
    .map(([value, changes]) => applyEdits(`j${JSON.stringify(value)}`, changes)),
  hostileString(20),
);

/**
 * `load(cookieValue)` through an engine over `storage` with a fixed clock:
 * the session and what onInvalidSession heard, or `undefined` when the load
 * threw a typed error (a store failing under load, say; any other throw fails).
 */
export function fuzzLoader(
  storage: SessionStorage,
  options: { now: number; maxAge: number; idleTimeout?: number },
) {
  const reports: InvalidSessionReason[] = [];
  const { now, ...lifetime } = options;
  const engine = new SessionEngine({
    storage,
    ...lifetime,
    now: () => now,
    onInvalidSession: (r) => reports.push(r),
  });
  return async (value: string) => {
    reports.length = 0;
    try {
      const session = await engine.load(listJar([{ name: 'session', value }]), async () => {}, false);
      return { session, reports: [...reports] };
    } catch (error) {
      expect(error).toBeInstanceOf(SessionError);
      return undefined;
    }
  };
}

/** A session that loaded holds exactly `expected`, as plain own data, and no prototype changed. */
export async function expectSessionHolds(
  session: SessionImpl,
  expected: {
    id: string;
    userId: string | undefined;
    data: ReadonlyMap<string, unknown>;
    flash: ReadonlyMap<string, unknown>;
  },
): Promise<void> {
  expect(session.isNew).toBe(false);
  expect(session.id).toBe(expected.id);
  expect(session.userId).toBe(expected.userId);
  expect(Object.keys(session.data).sort()).toEqual([...expected.data.keys()].sort());
  for (const [key, value] of expected.data) {
    expect(Object.hasOwn(session.data, key)).toBe(true);
    expect(JSON.stringify(session.get(key))).toBe(JSON.stringify(value));
  }
  for (const [key, value] of expected.flash) {
    expect(JSON.stringify(await session.getFlash(key))).toBe(JSON.stringify(value));
  }
  expectPrototypesIntact();
}
