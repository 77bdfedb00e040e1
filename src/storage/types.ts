import type { Lifetime, SessionLifetime } from '../lifetime.ts';
import type { InvalidSessionReason, SessionData } from '../types.ts';

/**
 * What a storage persists for one session. Times are Unix milliseconds.
 *
 * @example
 * ```ts
 * const state: SessionState = { id: 'AZxY0q1b2c3d', data: { user: 'ada' }, createdAt: Date.now(), lastActiveAt: Date.now() };
 * ```
 */
export interface SessionState {
  /** Public, non-secret identifier (never the cookie value of a store token). */
  id: string;
  data: SessionData;
  createdAt: number;
  lastActiveAt: number;
  /** Set by `newSession({ userId })`. */
  userId?: string;
  /** This session's own lifetime rules (`newSession({ persistent, maxAge })`), when not the kit's. */
  lifetime?: SessionLifetime;
  /**
   * When the user last proved who they are (Unix ms): set by `newSession()`,
   * kept for the life of the identity. Absent on a session that never went
   * through `newSession()`.
   */
  authenticatedAt?: number;
  /** Store-backed sessions: the browser's `User-Agent` at `newSession()`, truncated (see `devices`). */
  userAgent?: string;
  /** Store-backed sessions: the client address `devices.ip` returned at `newSession()`. */
  ip?: string;
  /**
   * The app's data version (`createSessionKit({ version })`) the data was
   * written for. Absent means version 1, and version 1 is never stored.
   */
  version?: number;
  /** Flash messages waiting for the next render. */
  flash?: SessionData;
  /**
   * Flash messages this request may show (taken from `flash` by the guard).
   * Only ever forwarded to the render, never sent to the browser.
   */
  shown?: SessionData;
}

/**
 * Result of {@link BoundStorage.load}. Bad input is a value, never a throw;
 * only store failures throw (`SessionStoreError`).
 *
 * @example
 * ```ts
 * const result = await storage.load(cookieValue);
 * if (result.status === 'found') console.log(result.state.id);
 * ```
 */
export type LoadResult =
  | {
      status: 'found';
      state: SessionState;
      /** Opaque reference the storage needs to update or destroy this record (a store's token). */
      handle: string;
      /** True when the value should be rewritten even if unchanged (sealed with an older key). */
      stale: boolean;
      /**
       * The storage already slid the idle expiry if it was due at `touchAt`
       * (in the load's own round trip): the engine must not touch again.
       */
      slid?: boolean;
    }
  | { status: 'rejected'; reason: InvalidSessionReason };

/**
 * Everything a storage needs to persist a session.
 *
 * @example
 * ```ts
 * const cookieValue = await storage.save({ state, handle: undefined, previous: [], changedKeys: ['user'], cleared: false, expiresAt });
 * ```
 */
export interface SaveInput {
  state: SessionState;
  /** Handle of the record being updated; `undefined` for a brand-new identity. */
  handle: string | undefined;
  /** Handles of previous identities to destroy in the same write (login rotation). */
  previous: readonly string[];
  /** Keys set or deleted since load; lets stores merge instead of overwrite. */
  changedKeys: readonly string[];
  /** True when the data was cleared wholesale (so the write replaces, not merges). */
  cleared: boolean;
  /** Flash keys set since load (stores merge them like data keys). */
  changedFlash?: readonly string[];
  /** Cookie storages: also seal `state.shown`, for the cookie the proxy forwards to the render only. */
  includeShown?: boolean;
  /** Absolute expiry (ms) the record must not outlive. */
  expiresAt: number;
}

/**
 * What the kit tells a storage when it binds it, once, at creation.
 *
 * @example
 * ```ts
 * create(context: StorageContext): BoundStorage {
 *   const ttlSeconds = context.lifetime.maxAge; // computed by the kit, never redone here
 * }
 * ```
 */
export interface StorageContext {
  /**
   * The cookie name as configured (including a `__Host-` prefix written into
   * it), never the prefix the kit adds on Secure requests: it salts the key,
   * and must not change between an http and an https request.
   */
  cookieName: string;
  /** Every time rule of the kit (`maxAge`, `idleTimeout`, expiry, touch interval), computed once. */
  lifetime: Lifetime;
  /** Clock in Unix milliseconds. */
  now: () => number;
  /** The kit's data `version` (absent means 1): storages that cannot record it refuse other values. */
  dataVersion?: number;
}

/**
 * Where a bound storage slides a session's idle expiry (see {@link BoundStorage.idle}).
 *
 * @example
 * ```ts
 * const idle: IdleSlide = { clock: 'cookie' }; // the kit re-issues the cookie when due
 * ```
 */
export type IdleSlide =
  /** In the cookie: the kit re-issues it when due. `none`: the storage has no idle timeout. */
  | { readonly clock: 'cookie' | 'none' }
  | {
      readonly clock: 'store';
      /** Seconds between two refreshes (`undefined`: no idle timeout, refreshed only by `touch()`). */
      readonly touchAfter: number | undefined;
      /** Moves `lastActiveAt` and the record's expiry without rewriting data; `false` if it is gone. */
      touch(handle: string, lastActiveAt: number, until: number): Promise<boolean>;
    };

/**
 * How pending flash messages reach the render that shows them (see {@link BoundStorage.flash}).
 *
 * @example
 * ```ts
 * const flash: FlashHandover = { via: 'cookie' }; // the proxy forwards them in the request cookie
 * ```
 */
export type FlashHandover =
  /** `cookie`: the proxy hands them over in the forwarded cookie. `none`: the format keeps none. */
  | { readonly via: 'cookie' | 'none' }
  | {
      readonly via: 'store';
      /** Removes and returns the pending messages, atomically where the store allows. */
      take(handle: string, until: number): Promise<SessionData>;
    };

/**
 * Which of a user's sessions `destroyUserSessions()` ends, by reference:
 * exactly `only`, or every one but `except`.
 *
 * @example
 * ```ts
 * const selection: UserSessionSelection = { only: [ref] }; // "sign out this device"
 * ```
 */
export type UserSessionSelection =
  | { readonly only: readonly string[] }
  | { readonly except: readonly string[] };

/**
 * A store's per-user index (see {@link BoundStorage.users}).
 *
 * @example
 * ```ts
 * const sessions = await storage.users?.list('ada');
 * ```
 */
export interface UserSessionIndex {
  /** The user's live sessions, most recently active first. */
  list(userId: string): Promise<UserSessionInfo[]>;
  /**
   * Ends the user's sessions: those in `only` when given, else all but those
   * in `except`; resolves to how many ended. References of other users'
   * sessions end nothing.
   */
  destroy(userId: string, refs: UserSessionSelection): Promise<number>;
}

/**
 * A store's cookie cache (`cookieCache`, see {@link BoundStorage.cookieCache}):
 * a sealed copy of the session in a second cookie, bound to the session's
 * token, read instead of the store until it expires.
 *
 * @example
 * ```ts
 * const state = await storage.cookieCache?.open(jar.get(storage.cookieCache.nameFor(name))?.value, token, now);
 * ```
 */
export interface CookieCache {
  /** Seconds a copy may be served. */
  readonly maxAge: number;
  /** The cache cookie's name, for the session cookie's effective name. */
  nameFor(cookieName: string): string;
  /** The copy sealed for `token`, dying at `until` (Unix ms); `undefined` when the session expires first. */
  seal(
    token: string,
    state: SessionState,
    now: number,
    expiresAt: number,
  ): Promise<{ value: string; until: number } | undefined>;
  /** The session in a copy sealed for `token` and still valid at `now`; `undefined` for anything else. */
  open(value: string | undefined, token: string, now: number): Promise<SessionState | undefined>;
}

/**
 * A storage bound to one kit: reads a cookie value into a session and turns
 * a session back into a cookie value. Where storages differ, they say so in
 * a declared capability (`idle`, `flash`, `cookieStaysOnSave`, `users`);
 * the engine never asks what kind of storage it holds.
 *
 * @example
 * ```ts
 * const bound: BoundStorage = encryptedCookieStorage({ secret }).create(context);
 * ```
 */
export interface BoundStorage {
  /** How many `name.N` cookie chunks a value may use (1 means no chunking). */
  readonly maxChunks: number;
  /** Where the idle expiry slides. */
  readonly idle: IdleSlide;
  /** How pending flash messages are handed to the render. */
  readonly flash: FlashHandover;
  /**
   * A save of a loaded session returns the cookie value it was loaded from,
   * and the cookie's expiry does not move (a store token): the cookie is then
   * not written again.
   */
  readonly cookieStaysOnSave: boolean;
  /** Listing and revoking a user's sessions; `null` where the storage keeps no per-user index. */
  readonly users: UserSessionIndex | null;
  /**
   * `true`: a load reads the cookie alone (a decrypt, no store round trip).
   * The proxy then hands its session to the render only when it forwards the
   * request headers anyway (it wrote a cookie): forwarding them just to carry
   * the hand-off costs Next more than the render's own decrypt (profiled in
   * docs/benchmarks.md). Absent: a load goes to a store, and the proxy always
   * hands its session over.
   */
  readonly loadsFromCookie?: boolean;
  /** A store with `cookieCache`: reads served from a sealed copy in a second cookie. */
  readonly cookieCache?: CookieCache;
  /**
   * `false`: the format cannot record a session's own lifetime
   * (`newSession({ persistent, maxAge })`), which `newSession()` then refuses.
   * Absent: `state.lifetime` is kept like any other field.
   */
  readonly ownLifetime?: boolean;
  /**
   * A one-way fingerprint of what, beyond the storage's name and the cookie
   * name, decides which cookie values it accepts and what they load (its
   * secrets, a store's key prefix). The proxy hands a session it loaded only
   * to a kit whose storage has the same name and identity, under the same
   * cookie name: the same kit, even when built again in another bundle.
   * Absent: told apart by name and cookie name alone.
   */
  readonly identity?: string | Promise<string>;
  /**
   * Turn a cookie value into a session. Never throws for bad input.
   * `touchAt` (Unix ms; absent for a peek): a store may slide the idle
   * expiry, if due at that time, in the same round trip (then `slid`).
   */
  load(cookieValue: string, touchAt?: number): Promise<LoadResult>;
  /**
   * Records the times of a write into `state` (a changed or touched session),
   * as the storage's format keeps them; see `stampActivity()`.
   */
  stampWrite(state: SessionState, now: number): void;
  /**
   * Persist the session; resolves to the cookie value to send, or `null` when
   * the stored session no longer exists (revoked meanwhile): it is not
   * resurrected and the cookie is cleared.
   */
  save(input: SaveInput): Promise<string | null>;
  /** Forget a session (logout). A no-op for the cookie storages. */
  destroy(handle: string): Promise<void>;
}

/**
 * One of a user's sessions, as `listUserSessions()` reports it: what a
 * "your devices" page shows. No cookie token, nor its hash, is ever in it.
 *
 * @example
 * ```ts
 * for (const s of await listUserSessions(userId)) console.log(s.ref, s.userAgent, new Date(s.lastSeenAt), s.current);
 * ```
 */
export interface UserSessionInfo {
  /**
   * The session's public reference (its public id, not a cookie value nor
   * derived from one): pass it to `destroyUserSessions(userId, { only })` or
   * `{ except }`.
   */
  ref: string;
  /** True for the session of the request that asked. */
  current: boolean;
  /** When the session was created (Unix ms). */
  createdAt: number;
  /** Last recorded activity (Unix ms), at the granularity of the touch interval. */
  lastSeenAt: number;
  /** When the session stops being accepted (Unix ms). */
  expiresAt: number;
  /**
   * When the user signed in on it (Unix ms, `newSession()`); absent for a
   * session that never went through `newSession()` (carried over by
   * `migrateFrom`, or recorded before the kit kept this time).
   */
  authenticatedAt?: number;
  /** The browser's `User-Agent` at sign-in, truncated; absent with `devices: { userAgent: false }`. */
  userAgent?: string;
  /** The client address, only when the app configured `devices: { ip }`. */
  ip?: string;
}

/**
 * A storage as given to `createSessionKit({ storage })`: a factory the kit
 * binds to its cookie name and lifetimes, once.
 *
 * @example
 * ```ts
 * const storage: SessionStorage = encryptedCookieStorage({ secret: process.env.SESSION_SECRET! });
 * ```
 */
export interface SessionStorage {
  /** Short name used in messages, e.g. `encrypted-cookie`. */
  readonly name: string;
  /**
   * The cookie is shared with another program that reads it by its exact
   * name (aiohttp-session): the kit never adds a `__Host-`/`__Secure-`
   * prefix to it, and refuses `cookie.prefix: 'auto'`.
   */
  readonly exactCookieName?: boolean;
  create(context: StorageContext): BoundStorage;
}
