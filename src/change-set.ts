/**
 * What a session changed since it was loaded or last saved, and where its
 * stored copy is: the one record the engine reads on `save()` and resets
 * after a write. The session itself only adds to it.
 *
 * @internal
 */
export interface ChangeSet {
  /** The stored copy's reference (a store's token); `undefined` until the first write. */
  handle: string | undefined;
  /** References of the identities this one replaced (`invalidate()`, a login): destroyed by the next write. */
  replaced: string[];
  /** The id of the stored session a login replaced, for the `rotate` event's `previousRef`. */
  replacedId?: string | undefined;
  /** The session cookies the request carried, or the last write set. */
  cookieNames: string[];
  /** Data, flash or identity changed: the next save writes. */
  dirty: boolean;
  /** Only the idle clock should move (`touch()`). */
  touched: boolean;
  /** A store's cookie cache should be (re)written: the session was read from the store. */
  recache: boolean;
  /** The cookie must be rewritten or cleared even if nothing else changed (older key, rejected cookie). */
  stale: boolean;
  /** The next write replaces the stored data whole instead of merging `keys`. */
  cleared: boolean;
  /** Data keys set or deleted. */
  readonly keys: Set<string>;
  /** Flash keys set. */
  readonly flash: Set<string>;
  /**
   * What the app itself did (key names and operations, never values), for
   * the unsaved-changes warning; not a migration or the proxy's flash hand-off.
   */
  readonly userOps: Set<string>;
}

/**
 * The change set of a session just loaded (or created, with `handle` undefined).
 *
 * @internal
 */
export function newChangeSet(handle: string | undefined, cookieNames: string[], stale: boolean): ChangeSet {
  return {
    handle,
    replaced: [],
    cookieNames,
    dirty: false,
    touched: false,
    recache: false,
    stale,
    cleared: false,
    keys: new Set(),
    flash: new Set(),
    userOps: new Set(),
  };
}

/**
 * Whether `save()` would write: the session (`isChanged`) or only a store's
 * cache cookie.
 *
 * @internal
 */
export function hasChanges(changes: ChangeSet): boolean {
  return isChangedSession(changes) || changes.recache;
}

/**
 * `session.isChanged`: the data, identity, expiry or cookie changed. A
 * store read that only asks for a fresh `cookieCache` copy is no change:
 * the app changed nothing, and `save()` would write no store.
 *
 * @internal
 */
export function isChangedSession(changes: ChangeSet): boolean {
  return changes.dirty || changes.touched || changes.stale;
}

/**
 * Marks the whole session for a replacing write (a cleared, migrated or new identity).
 *
 * @internal
 */
export function markReplaced(changes: ChangeSet): void {
  changes.keys.clear();
  changes.cleared = true;
  changes.dirty = true;
}

/**
 * After a write (or a destroy, with `handle` undefined): nothing is pending,
 * and the stored copy is `handle` behind the cookies `cookieNames`.
 *
 * @internal
 */
export function resetChanges(changes: ChangeSet, handle: string | undefined, cookieNames: string[]): void {
  changes.handle = handle;
  // Every save ends here: what is already empty stays as it is (a Set's
  // clear() allocates a fresh table even when there is nothing to clear).
  if (changes.replaced.length > 0) changes.replaced = [];
  changes.replacedId = undefined;
  changes.cookieNames = cookieNames;
  changes.dirty = false;
  changes.touched = false;
  changes.recache = false;
  changes.stale = false;
  changes.cleared = false;
  if (changes.keys.size > 0) changes.keys.clear();
  if (changes.flash.size > 0) changes.flash.clear();
  if (changes.userOps.size > 0) changes.userOps.clear();
}
