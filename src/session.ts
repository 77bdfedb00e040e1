import { defineOwn } from './own-property.ts';
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
  /** Read-only view of the data; change it with `set`, `delete` or `clear`. */
  readonly data: Readonly<Partial<Data>>;
  /** True when `save()` would write. */
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

/** @internal What `save()` calls; supplied by the kit. `save()` ignores its result (the engine's commit outcome). */
export type Committer = (session: SessionImpl) => Promise<unknown>;

/** @internal Takes a store-backed session's pending flash out of the store. */
export type TakeFlash = (session: SessionImpl) => Promise<SessionData>;

/**
 * The one implementation of {@link Session}. Internal: users only see the
 * interface. Keeps dirty state so the kit can write the minimum.
 *
 * @example
 * ```ts
 * const s = new SessionImpl(state, { isNew: true, handle: undefined, stale: false, cookieNames: [] }, commit, expiry);
 * ```
 */
export class SessionImpl<Data extends SessionData = SessionData, Flash extends SessionData = SessionData>
  implements Session<Data, Flash>
{
  #state: SessionState;
  #isNew: boolean;
  #handle: string | undefined;
  #previousHandles: string[] = [];
  #stale: boolean;
  #dirty = false;
  #touched = false;
  #cleared = false;
  #changedKeys = new Set<string>();
  #changedFlash = new Set<string>();
  // What the app itself did since the last save (not a migration or the
  // proxy's flash hand-off): what the unsaved-changes warning names.
  #userOps = new Set<string>();
  #taking: Promise<void> | undefined;
  #cookieNames: string[];
  #dataView: Readonly<Partial<Data>> | undefined;
  readonly #commit: Committer;
  readonly #expiry: (state: SessionState) => number;
  readonly #newIdentity: () => SessionState;
  readonly #takeFlash: TakeFlash | undefined;

  constructor(
    state: SessionState,
    origin: { isNew: boolean; handle: string | undefined; stale: boolean; cookieNames: string[] },
    hooks: {
      commit: Committer;
      expiry: (state: SessionState) => number;
      newIdentity: () => SessionState;
      takeFlash?: TakeFlash | undefined;
    },
  ) {
    this.#state = state;
    this.#isNew = origin.isNew;
    this.#handle = origin.handle;
    this.#stale = origin.stale;
    this.#cookieNames = origin.cookieNames;
    this.#commit = hooks.commit;
    this.#expiry = hooks.expiry;
    this.#newIdentity = hooks.newIdentity;
    this.#takeFlash = hooks.takeFlash;
  }

  get id(): string {
    return this.#state.id;
  }

  get isNew(): boolean {
    return this.#isNew;
  }

  get createdAt(): number {
    return this.#state.createdAt;
  }

  get expiresAt(): number {
    return this.#expiry(this.#state);
  }

  get userId(): string | undefined {
    return this.#state.userId;
  }

  get isChanged(): boolean {
    return this.#dirty || this.#touched || this.#stale;
  }

  get data(): Readonly<Partial<Data>> {
    this.#dataView ??= readOnlyView(() => this.#state.data) as Readonly<Partial<Data>>;
    return this.#dataView;
  }

  get<K extends keyof Data & string>(key: K): Data[K] | undefined {
    const data = this.#state.data;
    return Object.hasOwn(data, key) ? (data[key] as Data[K]) : undefined;
  }

  set<K extends keyof Data & string>(key: K, value: Data[K]): void {
    assertKey(key);
    if (value === undefined) {
      this.delete(key);
      return;
    }
    defineOwn(this.#state.data, key, value);
    this.#markKey(key);
  }

  delete(key: keyof Data & string): void {
    assertKey(key);
    if (!Object.hasOwn(this.#state.data, key)) return;
    delete this.#state.data[key];
    this.#markKey(key);
  }

  has(key: keyof Data & string): boolean {
    return Object.hasOwn(this.#state.data, key);
  }

  clear(): void {
    this.#state.data = {};
    this.#cleared = true;
    this.#changedKeys.clear();
    this.#dirty = true;
    this.#userOps.add('clear()');
  }

  changed(): void {
    // Which nested value changed is unknown: write every key, but as a merge,
    // so keys other requests added meanwhile survive.
    for (const key of Object.keys(this.#state.data)) this.#changedKeys.add(key);
    this.#dirty = true;
    this.#userOps.add('changed()');
  }

  touch(): void {
    this.#touched = true;
  }

  invalidate(): void {
    if (this.#handle !== undefined) this.#previousHandles.push(this.#handle);
    this.#handle = undefined;
    this.#state = this.#newIdentity();
    this.#isNew = true;
    this.#stale = false;
    this.#cleared = true;
    this.#changedKeys.clear();
    this.#dirty = true;
    this.#userOps.add('invalidate()');
  }

  flash<K extends keyof Flash & string>(key: K, value: Flash[K]): void {
    assertKey(key);
    const flash = this.#state.flash ?? {};
    defineOwn(flash, key, value);
    this.#state.flash = flash;
    this.#changedFlash.add(key);
    this.#dirty = true;
    this.#userOps.add(`flash:${key}`);
  }

  async getFlash<K extends keyof Flash & string>(key: K): Promise<Flash[K] | undefined> {
    assertKey(key);
    const pending = this.#state.flash;
    // Only what came from the store: a message set in this request is not shown yet.
    const stored = this.#handle !== undefined && this.#changedFlash.size === 0;
    if (this.#takeFlash !== undefined && stored && pending !== undefined && Object.keys(pending).length > 0) {
      // Store: take every pending message out of the store once per request,
      // atomically, so exactly one render shows it.
      this.#taking ??= this.#takeFlash(this).then((taken) => {
        this.#state.shown = { ...this.#state.shown, ...taken };
        delete this.#state.flash;
      });
      await this.#taking;
    }
    const shown = this.#state.shown;
    return shown !== undefined && Object.hasOwn(shown, key) ? (shown[key] as Flash[K]) : undefined;
  }

  /** @internal Whether a flash message waits to be shown (cookie storages, in the proxy). */
  hasPendingFlash(): boolean {
    const pending = this.#state.flash;
    return pending !== undefined && Object.keys(pending).length > 0;
  }

  /** @internal Cookie storages, in the proxy: moves pending flash to `shown`; true if there was any. */
  consumeFlash(): boolean {
    const pending = this.#state.flash;
    if (pending === undefined || !this.hasPendingFlash()) return false;
    this.#state.shown = { ...this.#state.shown, ...pending };
    delete this.#state.flash;
    this.#dirty = true;
    this.#cleared = true;
    return true;
  }

  async save(): Promise<void> {
    await this.#commit(this as unknown as SessionImpl);
  }

  /** @internal */
  get internals(): SessionInternals {
    return {
      state: this.#state,
      handle: this.#handle,
      previousHandles: this.#previousHandles,
      cleared: this.#cleared,
      changedKeys: [...this.#changedKeys],
      changedFlash: [...this.#changedFlash],
      dirty: this.#dirty,
      touched: this.#touched,
      stale: this.#stale,
      cookieNames: this.#cookieNames,
    };
  }

  /** @internal Called by the kit after a successful write. */
  markSaved(handle: string | undefined, cookieNames: string[]): void {
    this.#handle = handle;
    this.#previousHandles = [];
    this.#cookieNames = cookieNames;
    this.#dirty = false;
    this.#touched = false;
    this.#stale = false;
    this.#cleared = false;
    this.#changedKeys.clear();
    this.#changedFlash.clear();
    this.#userOps.clear();
  }

  /**
   * @internal What the app changed and has not saved yet (key names and
   * operations, never values); empty when there is nothing to warn about.
   */
  unsavedChanges(): string[] {
    return [...this.#userOps];
  }

  /**
   * @internal The loaded data was migrated to `version`: the next save writes
   * the whole session (with the new version), even if the app changes nothing.
   */
  migrated(version: number): void {
    this.#state.version = version;
    this.#cleared = true;
    this.#dirty = true;
  }

  /** @internal Used by `newSession()`: the replaced session's records die with this one's first save. */
  inherit(previous: SessionImpl | undefined): void {
    if (previous !== undefined) {
      const old = previous.internals;
      if (old.handle !== undefined) this.#previousHandles.push(old.handle);
      this.#previousHandles.push(...old.previousHandles);
      this.#cookieNames = [...new Set([...this.#cookieNames, ...old.cookieNames])];
    }
    this.#dirty = true;
    this.#cleared = true;
    this.#userOps.add('newSession()');
  }

  #markKey(key: string): void {
    this.#changedKeys.add(key);
    this.#dirty = true;
    this.#userOps.add(key);
  }
}

/** @internal Snapshot of a session's bookkeeping for the kit. */
export interface SessionInternals {
  state: SessionState;
  handle: string | undefined;
  previousHandles: string[];
  cleared: boolean;
  changedKeys: string[];
  changedFlash: string[];
  dirty: boolean;
  touched: boolean;
  stale: boolean;
  cookieNames: string[];
}

function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError('Session keys must be strings.');
}

const readOnlyMessage = 'session.data is read-only: use session.set(), session.delete() or session.clear().';

// A live view (it follows clear() and invalidate()) that refuses writes, so
// a change can never bypass dirty tracking.
function readOnlyView(source: () => Record<string, unknown>): object {
  const fail = (): never => {
    throw new TypeError(readOnlyMessage);
  };
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_t, key) => (typeof key === 'string' && Object.hasOwn(source(), key) ? source()[key] : undefined),
    has: (_t, key) => typeof key === 'string' && Object.hasOwn(source(), key),
    ownKeys: () => Reflect.ownKeys(source()),
    getOwnPropertyDescriptor: (_t, key) => {
      const desc = Reflect.getOwnPropertyDescriptor(source(), key);
      return desc === undefined ? undefined : { ...desc, configurable: true, writable: false };
    },
    set: fail,
    deleteProperty: fail,
    defineProperty: fail,
    setPrototypeOf: fail,
  });
}
