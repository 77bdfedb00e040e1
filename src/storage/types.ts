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
 * Result of {@link SessionBackend.load}. Bad input is a value, never a throw;
 * only backend failures throw (`SessionStoreError`).
 *
 * @example
 * ```ts
 * const result = await backend.load(cookieValue);
 * if (result.status === 'found') console.log(result.state.id);
 * ```
 */
export type LoadResult =
  | {
      status: 'found';
      state: SessionState;
      /** Opaque reference the backend needs to update or destroy this record. */
      handle: string;
      /** True when the value should be rewritten even if unchanged (sealed with an older key). */
      stale: boolean;
    }
  | { status: 'rejected'; reason: InvalidSessionReason };

/**
 * Everything a backend needs to persist a session.
 *
 * @example
 * ```ts
 * const cookieValue = await backend.save({ state, handle: undefined, previous: [], changedKeys: ['user'], cleared: false, expiresAt });
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
 * const backend = storage.create({ cookieName: 'session', maxAge: 1209600, idleTimeout: undefined, now: Date.now });
 * ```
 */
export interface StorageContext {
  /**
   * The cookie name as configured (including a `__Host-` prefix written into
   * it), never the prefix the kit adds on Secure requests: it salts the key,
   * and must not change between an http and an https request.
   */
  cookieName: string;
  /** Absolute lifetime in seconds. */
  maxAge: number;
  /** Optional idle lifetime in seconds. */
  idleTimeout: number | undefined;
  /** Clock in Unix milliseconds. */
  now: () => number;
  /** The kit's data `version` (absent means 1): storages that cannot record it refuse other values. */
  dataVersion?: number;
}

/**
 * A storage bound to one kit: reads a cookie value into a session and turns a
 * session back into a cookie value.
 *
 * @example
 * ```ts
 * const backend = encryptedCookieStorage({ secret }).create(context);
 * ```
 */
export interface SessionBackend {
  /** `cookie`: all state is in the cookie; `store`: the cookie holds a token. */
  readonly kind: 'cookie' | 'store';
  /** How many `name.N` cookie chunks a value may use (1 means no chunking). */
  readonly maxChunks: number;
  /** Turn a cookie value into a session. Never throws for bad input. */
  load(cookieValue: string): Promise<LoadResult>;
  /**
   * Persist the session; resolves to the cookie value to send, or `null` when
   * the stored session no longer exists (revoked meanwhile): it is not
   * resurrected and the cookie is cleared.
   */
  save(input: SaveInput): Promise<string | null>;
  /** Forget a session (logout). A no-op for the cookie storages. */
  destroy(handle: string): Promise<void>;
  /** Stores: seconds between idle-TTL refreshes (`undefined`: no idle timeout). */
  readonly touchAfter?: number | undefined;
  /** Stores: whether concurrent saves of different keys both survive. */
  readonly mergesKeys?: boolean;
  /**
   * aiohttp-session formats: every write restarts the lifetime (`createdAt`
   * becomes the time of the write, in whole seconds) and re-sends the cookie.
   */
  readonly renewsOnSave?: boolean;
  /** Stores: move `lastActiveAt` and the TTL without rewriting data; `false` if gone. */
  touch?(handle: string, lastActiveAt: number, expiresAt: number): Promise<boolean>;
  /** Stores: the public, non-secret reference of a session (what listings show). */
  refOf?(handle: string): Promise<string>;
  /** Stores: removes and returns the pending flash messages, atomically where the backend allows. */
  takeFlash?(handle: string, expiresAt: number): Promise<SessionData>;
  /** Stores: the user's live sessions, most recently active first. */
  listUserSessions?(userId: string): Promise<UserSessionInfo[]>;
  /** Stores: ends every session of the user except the given references; resolves to how many ended. */
  destroyUserSessions?(userId: string, except: readonly string[]): Promise<number>;
}

/**
 * One of a user's sessions, as `listUserSessions()` reports it.
 *
 * @example
 * ```ts
 * for (const s of await listUserSessions(userId)) console.log(s.handle, new Date(s.lastSeen), s.current);
 * ```
 */
export interface UserSessionInfo {
  /** Opaque reference (not a cookie value); pass it to `destroyUserSessions(userId, { except })`. */
  handle: string;
  /** The session's public id. */
  id: string;
  createdAt: number;
  /** Last recorded activity (Unix ms), at the granularity of `touchAfter`. */
  lastSeen: number;
  expiresAt: number;
  /** True for the session of the request that asked. */
  current?: boolean;
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
  create(context: StorageContext): SessionBackend;
}
