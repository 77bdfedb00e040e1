import type { SessionState } from '../types.ts';

/**
 * What a loaded aiohttp-session record said that its JavaScript values
 * cannot: how each float was spelled (the float `1.0`, which JavaScript
 * reads as 1, would otherwise come back as the int 1) and an int written
 * `-0`, and the key order of every dict (JavaScript enumerates
 * integer-like keys first, Python in insertion order). Keyed by
 * {@link PathKey}, relative to the session's data. Writing a value back at
 * the same place unchanged re-uses these, so Python reads back exactly what
 * it wrote; keys added to a dict come after the ones Python wrote.
 */
export interface PythonSpelling {
  readonly numbers: ReadonlyMap<PathKey, { readonly value: number | bigint; readonly literal: string }>;
  readonly orders: ReadonlyMap<PathKey, readonly string[]>;
}

/**
 * A place in a JSON value, as a string: each step is self-delimiting
 * (`k<length>:<key>` or `i<index>;`), so no key can imitate another path.
 * The root is `''`.
 */
export type PathKey = string;

/**
 * The path of member `key` of the object at `parent`.
 */
export function memberPath(parent: PathKey, key: string): PathKey {
  return `${parent}k${key.length}:${key}`;
}

/**
 * The path of item `index` of the array at `parent`.
 */
export function itemPath(parent: PathKey, index: number): PathKey {
  return `${parent}i${index};`;
}

/**
 * A spelling that records nothing: every value is spelled the default way.
 */
export const NO_SPELLING: PythonSpelling = { numbers: new Map(), orders: new Map() };

// Per loaded session state: the engine hands the same state object from
// load() to save(), and a new identity (invalidate, newSession) is a new
// object, which so starts with no memory of the old record.
const spellings = new WeakMap<SessionState, PythonSpelling>();

/**
 * Remembers how the record a session state was loaded from spelled its values.
 */
export function rememberSpelling(state: SessionState, spelling: PythonSpelling): void {
  if (spelling.numbers.size > 0 || spelling.orders.size > 0) spellings.set(state, spelling);
}

/**
 * The spelling remembered for a session state, {@link NO_SPELLING} if none.
 */
export function spellingOf(state: SessionState): PythonSpelling {
  return spellings.get(state) ?? NO_SPELLING;
}
