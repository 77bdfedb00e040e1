import { type ChangeSet, isChangedSession, markReplaced } from './change-set.ts';
import type { SessionTimes } from './lifetime.ts';
import { defineOwn } from './own-property.ts';
import { readOnlyView } from './read-only-view.ts';
import type { SessionState } from './storage/types.ts';
import type { SessionData } from './types.ts';

/**
 * A user's session for the current request. Obtained from `getSession()` or
 * `newSession()`; changes are kept in memory until `await save()`.
 *
 * @example
 * ```ts
 * const session = await getSession();
 * session.set('count', (session.get('count') ?? 0) + 1);
 * await session.save();
 * ```
 */
export interface Session<Data extends SessionData = SessionData, Flash extends SessionData = SessionData> {
  /** Public identifier of this session. Changes on `newSession()` and `invalidate()`. Not a secret. */
  readonly id: string;
  /** True when this session was not loaded from a valid cookie in this request. */
  readonly isNew: boolean;
  /** When this identity was created (Unix ms). */
  readonly createdAt: number;
  /** When the session stops being accepted: the earlier of the absolute and idle limits (Unix ms). */
  readonly expiresAt: number;
  /** The user id bound by `newSession({ userId })`, if any. */
  readonly userId: string | undefined;
  /**
   * When the user last proved who they are (Unix ms): set by `newSession()`
   * (a sign-in, or a re-authentication with `keepData`), kept across saves,
   * idle refreshes and re-sealing. `undefined` for a session that never went
   * through `newSession()`, which no freshness check accepts.
   */
  readonly authenticatedAt: number | undefined;
  /** Read-only view of the data; change it with `set`, `delete` or `clear`. */
  readonly data: Readonly<Partial<Data>>;
  /**
   * True when `save()` would write the session: changed data or identity, an
   * idle refresh, a cookie to re-issue or clear. A read that only refreshes a
   * store's `cookieCache` copy is not a change (`save()` still writes that
   * copy, a cookie and no store call).
   */
  readonly isChanged: boolean;
  get<K extends keyof Data & string>(key: K): Data[K] | undefined;
  set<K extends keyof Data & string>(key: K, value: Data[K]): void;
  delete(key: keyof Data & string): void;
  has(key: keyof Data & string): boolean;
  /** Removes every key; the identity stays. */
  clear(): void;
  /** Marks the session changed after mutating a nested value in place. */
  changed(): void;
  /** Extends the idle lifetime without changing data (writes on the next `save()`). */
  touch(): void;
  /** Ends this identity: data is dropped and `save()` clears the cookie and the stored record. */
  invalidate(): void;
  /**
   * Leaves a message for the next page the user sees (call `save()` after).
   * It shows exactly once: the guard in `proxy.ts` hands it to that request's
   * render and removes it from the cookie (with a store, the first
   * `getFlash()` takes it out of the store).
   */
  flash<K extends keyof Flash & string>(key: K, value: Flash[K]): void;
  /** A flash message left by an earlier request for this render, if any. */
  getFlash<K extends keyof Flash & string>(key: K): Promise<Flash[K] | undefined>;
  /** Persists the changes; writes nothing when nothing changed. */
  save(): Promise<void>;
}

/**
 * What the engine reads and writes of a session: plain data, the same for
 * every `Data` type.
 *
 * @internal
 */
export interface SessionCore {
  /** What the storage persists. */
  state: SessionState;
  /** Not loaded from a valid cookie (or a new identity since). */
  isNew: boolean;
  /** What changed since the load or the last write, read and reset by the engine. */
  readonly changes: ChangeSet;
}

/**
 * What `save()` calls: the engine's commit, bound to this request's cookies.
 *
 * @internal
 */
export type Committer = (session: SessionCore) => Promise<unknown>;

/**
 * What every session of one kit asks the engine.
 *
 * @internal
 */
export interface SessionHooks {
  expiresAt(times: SessionTimes): number;
  /** A new identity with empty data, created now (`invalidate()`). */
  newState(): SessionState;
  /** Stores: takes the session's pending flash messages out of the store. */
  takeFlash: ((handle: string, state: SessionState) => Promise<SessionData>) | undefined;
}

/**
 * The one implementation of {@link Session}: the public API over a
 * {@link SessionCore}. Users only see the interface.
 *
 * @internal
 */
export class SessionImpl<Data extends SessionData = SessionData, Flash extends SessionData = SessionData>
  implements Session<Data, Flash>, SessionCore
{
  state: SessionState;
  isNew: boolean;
  readonly changes: ChangeSet;
  readonly #hooks: SessionHooks;
  readonly #commit: Committer;
  #dataView: Readonly<Partial<Data>> | undefined;
  #taking: Promise<void> | undefined;

  constructor(
    state: SessionState,
    isNew: boolean,
    changes: ChangeSet,
    hooks: SessionHooks,
    commit: Committer,
  ) {
    this.state = state;
    this.isNew = isNew;
    this.changes = changes;
    this.#hooks = hooks;
    this.#commit = commit;
  }

  get id(): string {
    return this.state.id;
  }

  get createdAt(): number {
    return this.state.createdAt;
  }

  get expiresAt(): number {
    return this.#hooks.expiresAt(this.state);
  }

  get userId(): string | undefined {
    return this.state.userId;
  }

  get authenticatedAt(): number | undefined {
    return this.state.authenticatedAt;
  }

  get isChanged(): boolean {
    return isChangedSession(this.changes);
  }

  get data(): Readonly<Partial<Data>> {
    this.#dataView ??= readOnlyView(() => this.state.data) as Readonly<Partial<Data>>;
    return this.#dataView;
  }

  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    const data = this.state.data;
    return Object.hasOwn(data, key) ? (data[key] as Data[K]) : undefined;
  }

  has(key: keyof Data & string): boolean {
    return Object.hasOwn(this.state.data, key);
  }

  set<K extends keyof Data & string>(key: K, value: Data[K]): void {
    assertKey(key);
    if (value === undefined) {
      this.delete(key);
      return;
    }
    defineOwn(this.state.data, key, value);
    this.#changed(key, key);
  }

  delete(key: keyof Data & string): void {
    assertKey(key);
    if (!Object.hasOwn(this.state.data, key)) return;
    delete this.state.data[key];
    this.#changed(key, key);
  }

  clear(): void {
    this.state.data = {};
    markReplaced(this.changes);
    this.changes.userOps.add('clear()');
  }

  changed(): void {
    // Which nested value changed is unknown: write every key, but as a merge,
    // so keys other requests added meanwhile survive.
    for (const key of Object.keys(this.state.data)) this.changes.keys.add(key);
    this.#changed(undefined, 'changed()');
  }

  touch(): void {
    this.changes.touched = true;
  }

  invalidate(): void {
    const { changes } = this;
    if (changes.handle !== undefined) changes.replaced.push(changes.handle);
    changes.handle = undefined;
    changes.stale = false;
    this.state = this.#hooks.newState();
    this.isNew = true;
    markReplaced(changes);
    changes.userOps.add('invalidate()');
  }

  flash<K extends keyof Flash & string>(key: K, value: Flash[K]): void {
    assertKey(key);
    const flash = this.state.flash ?? {};
    defineOwn(flash, key, value);
    this.state.flash = flash;
    this.changes.flash.add(key);
    this.#changed(undefined, `flash:${key}`);
  }

  async getFlash<K extends keyof Flash & string>(key: K): Promise<Flash[K] | undefined> {
    assertKey(key);
    if (this.#flashInStore()) {
      this.#taking ??= this.#takeStoredFlash();
      await this.#taking;
    }
    const shown = this.state.shown;
    return shown !== undefined && Object.hasOwn(shown, key) ? (shown[key] as Flash[K]) : undefined;
  }

  async save(): Promise<void> {
    await this.#commit(this);
  }

  #changed(key: string | undefined, operation: string): void {
    if (key !== undefined) this.changes.keys.add(key);
    this.changes.dirty = true;
    this.changes.userOps.add(operation);
  }

  // Only what came from the store: a message set in this request is not shown yet.
  #flashInStore(): boolean {
    const { handle, flash } = this.changes;
    return (
      this.#hooks.takeFlash !== undefined && handle !== undefined && flash.size === 0 && hasPendingFlash(this)
    );
  }

  // Stores: every pending message leaves the store once per request,
  // atomically, so exactly one render shows it.
  async #takeStoredFlash(): Promise<void> {
    const { handle } = this.changes;
    const taken = handle === undefined ? {} : await this.#hooks.takeFlash?.(handle, this.state);
    this.state.shown = { ...this.state.shown, ...taken };
    delete this.state.flash;
  }
}

/**
 * The typed view of a session, for the app: the one place where the
 * engine's untyped session becomes a `Session<Data, Flash>`.
 *
 * @internal
 */
export function asSession<Data extends SessionData, Flash extends SessionData = SessionData>(
  session: SessionImpl,
): Session<Data, Flash> {
  return session as unknown as Session<Data, Flash>;
}

/**
 * Whether a flash message waits to be shown.
 *
 * @internal
 */
export function hasPendingFlash(session: SessionCore): boolean {
  const pending = session.state.flash;
  return pending !== undefined && Object.keys(pending).length > 0;
}

/**
 * What the app changed and has not saved yet (key names and operations,
 * never values); empty when there is nothing to warn about.
 *
 * @internal
 */
export function unsavedChanges(session: SessionCore): string[] {
  return [...session.changes.userOps];
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError('Session keys must be strings.');
}
