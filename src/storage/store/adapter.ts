/**
 * A session as a store keeps it: plain, JSON-ready data. The kit creates
 * it; a store writes it and gives it back, and needs to understand none of
 * it beyond `userId` (for {@link StoreAdapter.listByUser}) and `flash` (for
 * {@link StoreAdapter.takeFlash}). Keep fields you do not know: later
 * versions of the kit may add optional ones, which a store that writes the
 * whole object (`encodeStoredSession()`) carries without a change.
 *
 * @example
 * ```ts
 * const session: StoredSession = {
 *   id: 'AZq3x0f2Kd9w', data: { user: 'ada' }, createdAt: 1767225600000, lastActiveAt: 1767225600000, userId: 'ada',
 * };
 * ```
 */
export interface StoredSession {
  /** The session's public id (`session.id`), made by the kit; it encodes the creation time. */
  id: string;
  /** The app's data: JSON values under any string key (`__proto__` included, as plain data). */
  data: Record<string, unknown>;
  /**
   * Creation time, Unix ms. The kit reads it from `id` and trusts only that,
   * so a store need not keep it: what `get()` returns here is ignored.
   */
  createdAt: number;
  /** Last recorded activity, Unix ms; moves at most once per `touchAfter`. */
  lastActiveAt: number;
  /** The user bound by `newSession({ userId })`: {@link StoreAdapter.listByUser} finds the session by it. */
  userId?: string;
  /** The app's data version (`createSessionKit({ version })`), when not 1. */
  version?: number;
  /**
   * The session's own lifetime rules (`newSession({ persistent, maxAge })`),
   * when it has any: set at creation like `id`, kept as given.
   */
  lifetime?: { maxAge?: number; persistent?: false };
  /** Flash messages waiting for the next render; {@link StoreAdapter.takeFlash} removes them. */
  flash?: Record<string, unknown>;
  /**
   * When the user signed in (Unix ms, `newSession()`); written at creation
   * like `id` and `userId`, never changed by `update()`.
   */
  authenticatedAt?: number;
  /** The browser's `User-Agent` at sign-in, truncated (for "your devices" listings); written at creation. */
  userAgent?: string;
  /** The client address the app's `devices.ip` gave at sign-in; written at creation. */
  ip?: string;
}

/**
 * What a store can do beyond the required methods, declared rather than
 * guessed. Every flag defaults to `false`, which is always correct, only
 * weaker; the conformance suite (`describeStoreAdapter`) holds a store to
 * what it declares.
 *
 * @example
 * ```ts
 * const capabilities: StoreCapabilities = { atomic: true };
 * ```
 */
export interface StoreCapabilities {
  /**
   * `update()` applies `set`, `unset` and `flash` onto what is stored at
   * that moment, atomically (a script, a transaction, a compare-and-set
   * loop, a single `UPDATE`): two concurrent saves that change different
   * keys both keep their change. And `takeFlash()` gives each message to
   * exactly one of the requests racing for it. Without it, concurrent saves
   * of one session are last-write-wins, as with cookie storages.
   */
  readonly atomic?: boolean;
  /**
   * `get()` honours its `touch` argument ({@link IdleTouch}): a load that is
   * due an idle refresh does it in the same round trip (a script, an
   * `UPDATE … RETURNING`). Without it, the kit follows a due load with an
   * `update()`: a second round trip, at most once per `touchAfter`.
   */
  readonly touchOnGet?: boolean;
}

/**
 * The idle refresh a load may do in the same round trip, handed to
 * {@link StoreAdapter.get} by a kit with an `idleTimeout`, only to a store
 * that declares {@link StoreCapabilities.touchOnGet}. When the stored
 * `lastActiveAt` lies between `aliveSince` and `dueBy`, set it to `lastActiveAt` and the
 * record's expiry to `untilFor(session)`, and return the session with the
 * new `lastActiveAt`; otherwise change nothing. Never touch a record whose
 * new expiry would not lie after `lastActiveAt` (its absolute end passed).
 *
 * @example
 * ```ts
 * async get(key, touch) {
 *   const session = await read(key);
 *   if (session && touch && session.lastActiveAt <= touch.dueBy && session.lastActiveAt >= touch.aliveSince) {
 *     session.lastActiveAt = touch.lastActiveAt;
 *     await write(key, session, touch.untilFor(session)); // one statement where the store allows
 *   }
 *   return session;
 * }
 * ```
 */
export interface IdleTouch {
  /** The new last activity (Unix ms): now. */
  readonly lastActiveAt: number;
  /** Refresh only a session last active at or before this (Unix ms): `touchAfter` ago. */
  readonly dueBy: number;
  /**
   * Refresh only a session last active at or after this (Unix ms): one idle
   * for longer has ended (the kit refuses it), and a refresh must not revive it.
   */
  readonly aliveSince: number;
  /** `lastActiveAt` + `idleTimeout` (Unix ms): the new expiry, unless the absolute end comes first. */
  readonly idleUntil: number;
  /**
   * The kit's absolute lifetime, `maxAge`, in ms: a session never outlives its creation (read from its id) + this,
   * or + its own `lifetime.maxAge` (seconds) when it has one. `untilFor()` applies both.
   */
  readonly maxAge: number;
  /** The new `until` of `session`: the earlier of `idleUntil` and its absolute end. */
  untilFor(session: StoredSession): number;
}

/**
 * One save of an existing session (or an idle refresh), handed to
 * {@link StoreAdapter.update}.
 *
 * @example
 * ```ts
 * // A request that set `count`, deleted `draft` and added a flash message:
 * const change: SessionChange = {
 *   session, replace: false, set: { count: 2 }, unset: ['draft'], flash: { notice: 'Saved' },
 *   lastActiveAt: Date.now(), until: Date.now() + 3_600_000,
 * };
 * ```
 */
export interface SessionChange {
  /**
   * The whole session as this request leaves it; absent on an idle refresh
   * (which changes only `lastActiveAt` and `until`). A store without atomic
   * updates may write it whole; one with them applies the fields below.
   */
  readonly session?: StoredSession;
  /**
   * `true`: replace what is stored by `session`, whole (the data was cleared
   * or migrated to a new version); `set`, `unset` and `flash` are then empty.
   */
  readonly replace: boolean;
  /** Data keys this request set, with their new values. */
  readonly set: Readonly<Record<string, unknown>>;
  /** Data keys this request deleted. */
  readonly unset: readonly string[];
  /** Flash messages this request added: merge them into the pending ones. */
  readonly flash: Readonly<Record<string, unknown>>;
  /**
   * The session's new last activity (Unix ms). `until` follows from it, so
   * a store may skip an idle refresh whose `lastActiveAt` is no newer than
   * the one it holds: a save or refresh at least as recent moved `until`.
   */
  readonly lastActiveAt: number;
  /** When the store may forget the record from now on (Unix ms). */
  readonly until: number;
}

/**
 * How to write a new session ({@link StoreAdapter.create}).
 *
 * @example
 * ```ts
 * const write: NewSessionWrite = { until: Date.now() + 3_600_000, expiresAt: Date.now() + 86_400_000, replaces: [] };
 * ```
 */
export interface NewSessionWrite {
  /**
   * When the store may forget the record (Unix ms): the earlier of the
   * absolute and the idle expiry. Set a TTL or an expiry column from it; the
   * kit computes it, a store never adds anything to it.
   */
  readonly until: number;
  /**
   * The session's absolute end (Unix ms): no later `until` passes it, so a
   * per-user index entry may live exactly until then.
   */
  readonly expiresAt: number;
  /** Keys of the sessions this one replaces (a login): delete them, in the same write where the store allows. */
  readonly replaces: readonly string[];
}

/**
 * What {@link StoreAdapter.create} may report back.
 *
 * @example
 * ```ts
 * const result: CreateResult = { userSessions: 3 };
 * ```
 */
export interface CreateResult {
  /**
   * How many sessions `session.userId` has in the store's index now, this
   * one included, for a store that counts them in the same step (at least
   * that many; stale entries may be counted too). With `maxSessionsPerUser`,
   * a login that is within the limit then needs no `listByUser()`.
   */
  readonly userSessions?: number;
}

/**
 * One of a user's sessions, as {@link StoreAdapter.listByUser} returns it.
 *
 * @example
 * ```ts
 * const entry: StoredSessionEntry = { key, session };
 * ```
 */
export interface StoredSessionEntry {
  readonly key: string;
  readonly session: StoredSession;
}

/**
 * The interface a session store implements: six methods over plain data.
 * The kit does everything else: cookie tokens, hashing (a `key` is
 * base64url(SHA-256(token)): the store never sees a cookie value),
 * expiry arithmetic (`until`), touch throttling, flash semantics,
 * `maxSessionsPerUser`, timeouts and error wrapping. Pass it to
 * `defineStore()`; prove it with `describeStoreAdapter()` from
 * `next-session-kit/testing/vitest`.
 *
 * Absence is `null` or `false`; a method throws only when the store fails
 * (the kit turns that into `SessionStoreError`). What a store returns is
 * untrusted: the kit checks it, and a session that is not well-formed loads
 * as a fresh one, reported as `invalid`.
 *
 * @example
 * ```ts
 * import { defineStore, type StoreAdapter } from 'next-session-kit/store';
 * const adapter: StoreAdapter = myStore(client); // see "Write your own store" in docs/stores.md
 * export const storage = defineStore(adapter, { maxSessionsPerUser: 5 });
 * ```
 */
export interface StoreAdapter {
  /** Short name for error messages, e.g. `dynamodb`. */
  readonly name: string;
  /**
   * Where in the store this adapter keeps its sessions, when one client can
   * serve several (a key prefix, a table): kits of one process whose stores
   * differ here never take each other's session from the proxy's hand-off.
   */
  readonly namespace?: string;
  /** What the store guarantees beyond the methods; absent means none. */
  readonly capabilities?: StoreCapabilities;
  /**
   * The session stored under `key`: `null` when there is none (or it is
   * past its `until`), `undefined` when something is stored that is not a
   * session you can read (the kit reports it as an invalid session).
   * `touch` is passed only to a store that declares `touchOnGet`.
   */
  get(key: string, touch?: IdleTouch): Promise<StoredSession | null | undefined>;
  /**
   * Stores a new session under `key` until `write.until`, deletes
   * `write.replaces`, and (with `session.userId`) makes the session findable
   * by {@link listByUser} only once its record can be read.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: most stores report nothing, and `async` with no return is `void`.
  create(key: string, session: StoredSession, write: NewSessionWrite): Promise<CreateResult | void>;
  /**
   * Applies `change` to the session under `key`. Resolves to `false`, and
   * writes nothing, when there is no such session (logged out or expired
   * meanwhile): a save never brings a deleted session back.
   */
  update(key: string, change: SessionChange): Promise<boolean>;
  /**
   * Deletes the sessions under `keys` (any number; unknown keys are fine).
   * `userId`, when given, is the user they belong to (a revocation), so a
   * per-user index can drop them at once; otherwise its stale entries must
   * simply never be listed.
   */
  delete(keys: readonly string[], userId?: string): Promise<void>;
  /**
   * Removes and returns the session's pending flash messages (`{}` when
   * none, or no session). `until` is the record's current one, for stores
   * that must restate it on every write.
   */
  takeFlash(key: string, until: number): Promise<Record<string, unknown>>;
  /**
   * Every stored session whose `userId` is `userId`, with its key: at least
   * each one whose `create()` completed before this call began and that was
   * not deleted since (read an index before its records, or use one query).
   * Sessions past their `until` may be left out.
   */
  listByUser(userId: string): Promise<StoredSessionEntry[]>;
}
