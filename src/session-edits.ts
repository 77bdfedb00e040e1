import { markReplaced } from './change-set.ts';
import { defineOwn } from './own-property.ts';
import type { SessionCore } from './session.ts';
import type { SessionState } from './storage/types.ts';

// What the session's mutating methods do to its state, each recorded in the
// change set so that `save()` knows what to write.

/**
 * Records a change: `key` for a merge write, `operation` for the
 * unsaved-changes warning.
 *
 * @internal
 */
export function noteChange(core: SessionCore, key: string | undefined, operation: string): void {
  if (key !== undefined) core.changes.keys.add(key);
  core.changes.dirty = true;
  core.changes.userOps.add(operation);
}

/**
 * `set(key, value)`; `undefined` deletes.
 *
 * @internal
 */
export function setValue(core: SessionCore, key: unknown, value: unknown): void {
  assertKey(key);
  if (value === undefined) {
    deleteValue(core, key);
    return;
  }
  defineOwn(core.state.data, key, value);
  noteChange(core, key, key);
}

/**
 * `delete(key)`: a change only if the key was there.
 *
 * @internal
 */
export function deleteValue(core: SessionCore, key: unknown): void {
  assertKey(key);
  if (!Object.hasOwn(core.state.data, key)) return;
  delete core.state.data[key];
  noteChange(core, key, key);
}

/**
 * `clear()`: every key goes, the identity stays.
 *
 * @internal
 */
export function clearData(core: SessionCore): void {
  core.state.data = {};
  markReplaced(core.changes);
  core.changes.userOps.add('clear()');
}

/**
 * `changed()`: which nested value changed is unknown, so every key is
 * written, but as a merge, so keys other requests added meanwhile survive.
 *
 * @internal
 */
export function markAllChanged(core: SessionCore): void {
  for (const key of Object.keys(core.state.data)) core.changes.keys.add(key);
  noteChange(core, undefined, 'changed()');
}

/**
 * `invalidate()`: `state` (a new, empty identity) replaces the session's,
 * and the next write destroys the stored copy of the old one.
 *
 * @internal
 */
export function replaceIdentity(core: SessionCore, state: SessionState): void {
  const { changes } = core;
  if (changes.handle !== undefined) changes.replaced.push(changes.handle);
  changes.handle = undefined;
  changes.stale = false;
  core.state = state;
  core.isNew = true;
  markReplaced(changes);
  changes.userOps.add('invalidate()');
}

/**
 * Session keys are strings, also for callers without types.
 *
 * @internal
 */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError('Session keys must be strings.');
}
