import { defineOwn } from '../../own-property.ts';
import type { SaveInput } from '../types.ts';
import type { SessionChange, StoredSession } from './adapter.ts';
import { hasKeys } from './stored-session.ts';

const NO_KEYS: readonly string[] = Object.freeze([]);
const NO_VALUES: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * The change a save of a loaded session hands to the store: the keys it set
 * and deleted, the flash messages it added, or (after a clear or a data
 * migration) the whole session to write instead.
 */
export function changeOf(input: SaveInput): SessionChange {
  const { state } = input;
  const { lastActiveAt } = state;
  const until = input.expiresAt;
  if (input.cleared) {
    return {
      session: state,
      replace: true,
      set: NO_VALUES,
      unset: NO_KEYS,
      flash: NO_VALUES,
      lastActiveAt,
      until,
    };
  }
  const { data } = state;
  // Allocated only when used: this runs on nearly every save.
  let set: Record<string, unknown> | undefined;
  let unset: string[] | undefined;
  for (const name of input.changedKeys) {
    if (!Object.hasOwn(data, name)) {
      if (unset === undefined) unset = [];
      unset.push(name);
      continue;
    }
    if (set === undefined) set = {};
    if (name === '__proto__') defineOwn(set, name, data[name]);
    else set[name] = data[name];
  }
  let flash: Record<string, unknown> | undefined;
  const pending = state.flash;
  if (pending !== undefined && input.changedFlash !== undefined) {
    for (const name of input.changedFlash) {
      if (!Object.hasOwn(pending, name)) continue;
      if (flash === undefined) flash = {};
      defineOwn(flash, name, pending[name]);
    }
  }
  return {
    session: state,
    replace: false,
    set: set ?? NO_VALUES,
    unset: unset ?? NO_KEYS,
    flash: flash ?? NO_VALUES,
    lastActiveAt,
    until,
  };
}

/**
 * An idle refresh: only the last activity and `until` move.
 */
export function touchChange(lastActiveAt: number, until: number): SessionChange {
  return {
    session: undefined,
    replace: false,
    set: NO_VALUES,
    unset: NO_KEYS,
    flash: NO_VALUES,
    lastActiveAt,
    until,
  };
}

/**
 * The session `stored` becomes under `change`, for stores that keep a
 * session whole: read it, apply the change, write the result (atomically,
 * if the store declares `atomic`). A replace gives `change.session`; a
 * merge sets and deletes the changed keys, adds the flash messages, and
 * never moves the last activity backwards. `stored` is left as it was.
 *
 * @example
 * ```ts
 * import { applySessionChange, decodeStoredSession, encodeStoredSession } from 'next-session-kit/store';
 * const next = applySessionChange(decodeStoredSession(text), change);
 * await put(key, encodeStoredSession(next), change.until);
 * ```
 */
export function applySessionChange(stored: StoredSession, change: SessionChange): StoredSession {
  if (change.replace && change.session !== undefined) return change.session;
  const next: StoredSession = {
    ...stored,
    lastActiveAt: Math.max(stored.lastActiveAt, change.lastActiveAt),
  };
  if (hasKeys(change.set) || change.unset.length > 0) {
    // Spread copies a "__proto__" key as data; defineOwn sets one as data.
    const data = { ...stored.data };
    for (const name of Object.keys(change.set)) defineOwn(data, name, change.set[name]);
    for (const name of change.unset) delete data[name];
    next.data = data;
  }
  if (hasKeys(change.flash)) next.flash = { ...stored.flash, ...change.flash };
  return next;
}
