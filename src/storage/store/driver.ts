import type { SessionData } from '../../types.ts';

/**
 * A session as a store keeps it. `createdAt` is carried inside `id`: it is
 * never stored separately, only decoded from the id when a record is read.
 * The shape matches the engine's session state, so a loaded record is used
 * as the state directly.
 *
 * @example
 * ```ts
 * const record: StoredRecord = { id, data: { user: 'ada' }, createdAt, lastActiveAt: Date.now() };
 * ```
 */
export interface StoredRecord {
  id: string;
  data: SessionData;
  /** Decoded from `id`. */
  createdAt: number;
  lastActiveAt: number;
  userId?: string;
  /** Data version; absent means 1. */
  version?: number;
  /** Pending flash messages. */
  flash?: SessionData;
}

/**
 * One save, executed by a driver in a single round trip (a pipeline or an
 * atomic script where the backend allows).
 *
 * @example
 * ```ts
 * const write: StoreWrite = { key, mode: 'merge', record, changed: ['count'], changedFlash: [], expiresAt, remove: [], index: undefined };
 * ```
 */
export interface StoreWrite {
  key: string;
  /**
   * `create`: a brand-new key. `merge`: apply the `changed` keys to the
   * stored record, if it still exists. `replace`: overwrite the stored record
   * with `record`, if it still exists. A record deleted meanwhile (logout in
   * another tab) is never resurrected.
   */
  mode: 'create' | 'merge' | 'replace';
  /** The full state after this save. */
  record: StoredRecord;
  /**
   * Data keys set or deleted since load (merge): a key still in
   * `record.data` was set, one missing from it was deleted.
   */
  changed: readonly string[];
  /** Flash keys added since load (merge); their values are in `record.flash`. */
  changedFlash: readonly string[];
  /** Absolute expiry in Unix ms: the key's TTL ends exactly then. */
  expiresAt: number;
  /** Keys of previous identities to delete in the same round trip (login rotation). */
  remove: readonly string[];
  /** Per-user index entry to add or refresh. */
  index: IndexWrite | undefined;
}

/**
 * A per-user index update, written with a new identity: `member` (a session
 * key hash) expires at `expiresAt`. The driver makes the entry visible only
 * after the record is written and the `remove` keys are deleted, so an index
 * never lists a session whose record is still to come. With `limit`, the
 * driver then calls `enforceSessionLimit()`, which keeps the user's `limit`
 * newest live sessions (possibly ending `member` itself).
 *
 * @example
 * ```ts
 * const index: IndexWrite = {
 *   key: 'sess:u:abc', member: 'hash', createdAt, expiresAt, now: Date.now(),
 *   userId: 'ada', limit: 5, drop: [], sessionPrefix: 'sess:s:',
 * };
 * ```
 */
export interface IndexWrite {
  key: string;
  member: string;
  /** When the new session was created (Unix ms). */
  createdAt: number;
  expiresAt: number;
  now: number;
  /** The user the index belongs to (only their records count toward `limit`). */
  userId: string;
  /** `maxSessionsPerUser`, if set. */
  limit: number | undefined;
  /** Members of sessions this save deletes (login rotation): they leave the index too. */
  drop: readonly string[];
  /** Session key = `sessionPrefix` + member. */
  sessionPrefix: string;
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
  /** Any number of keys (a user may have thousands of sessions): the driver batches. */
  loadMany(keys: readonly string[]): Promise<Array<StoredRecord | null | 'corrupt'>>;
  /**
   * `false` when a merge/replace target no longer exists. With `write.index`,
   * the index entry becomes visible only after the record write and the
   * deletions of `write.remove` took effect (see {@link IndexWrite}).
   */
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
