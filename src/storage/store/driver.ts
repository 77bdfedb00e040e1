import type { SessionData } from '../../types.ts';

/**
 * A session as a store keeps it. `createdAt` is carried inside `id`.
 *
 * @example
 * ```ts
 * const record: StoredRecord = { id, lastActiveAt: Date.now(), data: { user: 'ada' } };
 * ```
 */
export interface StoredRecord {
  id: string;
  lastActiveAt: number;
  userId?: string;
  data: SessionData;
  /** Pending flash messages. */
  flash?: SessionData;
}

/**
 * One save, executed by a driver in a single round trip (a pipeline or an
 * atomic script where the backend allows).
 *
 * @example
 * ```ts
 * const write: StoreWrite = { key, mode: 'merge', record, set: { count: 2 }, unset: [], expiresAt, remove: [], index: undefined };
 * ```
 */
export interface StoreWrite {
  key: string;
  /**
   * `create`: a brand-new key. `merge`: apply `set`/`unset` to the stored
   * record, if it still exists. `replace`: overwrite the stored record with
   * `record`, if it still exists. A record deleted meanwhile (logout in
   * another tab) is never resurrected.
   */
  mode: 'create' | 'merge' | 'replace';
  /** The full state after this save. */
  record: StoredRecord;
  /** Data keys set since load, with their new values (merge). */
  set: SessionData;
  /** Data keys deleted since load (merge). */
  unset: readonly string[];
  /** Flash messages added since load (merge). */
  flashSet: SessionData;
  /** Absolute expiry in Unix ms: the key's TTL ends exactly then. */
  expiresAt: number;
  /** Keys of previous identities to delete in the same round trip (login rotation). */
  remove: readonly string[];
  /** Per-user index entry to add or refresh. */
  index: IndexWrite | undefined;
}

/**
 * A per-user index update: `member` (a session key hash) expires at `expiresAt`.
 *
 * @example
 * ```ts
 * const index: IndexWrite = { key: 'sess:u:abc', member: 'hash', expiresAt, now: Date.now() };
 * ```
 */
export interface IndexWrite {
  key: string;
  member: string;
  expiresAt: number;
  now: number;
}

/**
 * One entry of a per-user index.
 *
 * @example
 * ```ts
 * const entry: IndexEntry = { member: 'hash', expiresAt: Date.now() + 60_000 };
 * ```
 */
export interface IndexEntry {
  member: string;
  expiresAt: number;
}

/**
 * The tiny key-value interface each backend implements (Redis, Redis
 * Cluster, Vercel KV / Upstash, Memcached). Everything else (tokens,
 * hashing, expiry, errors, timeouts) is shared. Absence is `null` or
 * `false`; failures throw (the shared layer wraps them in
 * `SessionStoreError`).
 *
 * @example
 * ```ts
 * const record = await driver.load('sess:' + hash);
 * ```
 */
export interface StoreDriver {
  /** Short backend name for messages, e.g. `redis`. */
  readonly name: string;
  /** True when concurrent saves of different keys both survive (atomic per-key merge). */
  readonly mergesKeys: boolean;
  /** `null` when absent, `'corrupt'` when present but not a session record. */
  load(key: string): Promise<StoredRecord | null | 'corrupt'>;
  loadMany(keys: readonly string[]): Promise<Array<StoredRecord | null | 'corrupt'>>;
  /** `false` when a merge/replace target no longer exists. */
  save(write: StoreWrite): Promise<boolean>;
  /** Removes and returns the pending flash messages (empty when none or gone). */
  takeFlash(key: string, expiresAt: number): Promise<SessionData>;
  /** Moves `lastActiveAt` and the TTL without rewriting data; `false` if the key is gone. */
  touch(key: string, lastActiveAt: number, expiresAt: number): Promise<boolean>;
  remove(keys: readonly string[]): Promise<void>;
  /** Live entries of an index (expired ones may be pruned on the way). */
  listIndex(indexKey: string, now: number): Promise<IndexEntry[]>;
  removeFromIndex(indexKey: string, members: readonly string[]): Promise<void>;
}
