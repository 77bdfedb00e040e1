import { SessionConfigError } from '../../errors.ts';
import { createdAtFromSessionId } from '../session-id.ts';
import type {
  LoadResult,
  SaveInput,
  SessionBackend,
  SessionStorage,
  StorageContext,
  UserSessionInfo,
} from '../types.ts';
import type { StoreDriver, StoredRecord } from './driver.ts';
import { guarded } from './timeout.ts';
import { createToken, isWellFormedToken, sha256Base64url } from './token.ts';

/**
 * Options every store-backed storage accepts.
 *
 * @example
 * ```ts
 * redisStorage({ client, keyPrefix: 'myapp:sess:', timeout: 1000, touchAfter: 300 });
 * ```
 */
export interface StoreOptions {
  /** Prefix of every key the kit writes. Default `sess:`. */
  keyPrefix?: string;
  /** Milliseconds before a store call fails with `SessionStoreError`. Default 2000. */
  timeout?: number;
  /**
   * With `idleTimeout`: seconds between two TTL refreshes of one session
   * (each refresh is one small write). Default: a tenth of `idleTimeout`, at most one hour.
   */
  touchAfter?: number;
}

const OPTION_KEYS = ['keyPrefix', 'timeout', 'touchAfter'];

/**
 * Validates the shared store options; returns them with defaults applied.
 *
 * @example
 * ```ts
 * const { keyPrefix } = resolveStoreOptions('redisStorage', options, ['client']);
 * ```
 */
export function resolveStoreOptions(
  factory: string,
  options: object,
  ownKeys: readonly string[],
): Required<Omit<StoreOptions, 'touchAfter'>> & { touchAfter: number | undefined } {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key) && !ownKeys.includes(key)) {
      throw new SessionConfigError(
        `Unknown ${factory} option "${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}". ` +
          `Valid options: ${[...ownKeys, ...OPTION_KEYS].join(', ')}.`,
      );
    }
  }
  const { keyPrefix = 'sess:', timeout = 2000, touchAfter } = options as StoreOptions;
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 100 || !/^[\x21-\x7e]*$/.test(keyPrefix)) {
    throw new SessionConfigError(
      '`keyPrefix` must be at most 100 printable ASCII characters without spaces, e.g. "sess:".',
    );
  }
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
    throw new SessionConfigError('`timeout` must be a whole number of milliseconds from 1 to 60000.');
  }
  if (touchAfter !== undefined && (!Number.isInteger(touchAfter) || touchAfter < 0)) {
    throw new SessionConfigError(
      '`touchAfter` must be a whole number of seconds (0 refreshes on every request).',
    );
  }
  return { keyPrefix, timeout, touchAfter };
}

/**
 * Turns a {@link StoreDriver} into a `SessionStorage`: the cookie carries an
 * opaque 256-bit token, the store key is the prefix plus SHA-256 of it, and
 * every load and save costs one round trip.
 *
 * @example
 * ```ts
 * export function redisStorage(options: RedisStorageOptions): SessionStorage {
 *   return storeStorage(redisDriver(options.client), resolveStoreOptions('redisStorage', options, ['client']));
 * }
 * ```
 */
export function storeStorage(
  driver: StoreDriver,
  options: ReturnType<typeof resolveStoreOptions>,
): SessionStorage {
  const { keyPrefix, timeout } = options;
  const call = <T>(operation: string, fn: () => Promise<T>) => guarded(driver.name, operation, timeout, fn);
  // A request hashes its token on load and again on save; remember the last
  // few so the second costs nothing.
  const recentKeys = new Map<string, string>();
  const remember = (token: string, hash: string): string => {
    const key = `${keyPrefix}s:${hash}`;
    if (recentKeys.size >= 256) recentKeys.delete(recentKeys.keys().next().value as string);
    recentKeys.set(token, key);
    return key;
  };
  // Synchronous whenever possible (cached, or hashed with node:crypto): an
  // await per call is measurable on the hot path.
  const sessionKey = (token: string): string | Promise<string> => {
    const cached = recentKeys.get(token);
    if (cached !== undefined) return cached;
    const hash = sha256Base64url(token);
    return typeof hash === 'string' ? remember(token, hash) : hash.then((h) => remember(token, h));
  };
  const indexKey = async (userId: string) => `${keyPrefix}u:${await sha256Base64url(userId)}`;
  const memberOf = (key: string) => key.slice(keyPrefix.length + 2);
  const keyOf = (member: string) => `${keyPrefix}s:${member}`;

  return {
    name: driver.name,
    create(context: StorageContext): SessionBackend {
      const idle = context.idleTimeout;
      const touchAfter =
        idle === undefined ? undefined : (options.touchAfter ?? Math.min(3600, Math.floor(idle / 10)));

      const toState = (record: StoredRecord) => {
        const state = record as StoredRecord & { createdAt: number };
        state.createdAt = createdAtFromSessionId(record.id) as number;
        return state;
      };

      return {
        kind: 'store',
        maxChunks: 1,
        touchAfter,
        mergesKeys: driver.mergesKeys,

        async load(cookieValue: string): Promise<LoadResult> {
          // Junk never reaches the store, and a client cannot choose its id:
          // only tokens we issued and stored resolve.
          if (!isWellFormedToken(cookieValue)) return { status: 'rejected', reason: 'invalid' };
          const pendingKey = sessionKey(cookieValue);
          const key = typeof pendingKey === 'string' ? pendingKey : await pendingKey;
          const record = await call('load', () => driver.load(key));
          // Gone: expired, logged out, revoked, or never issued.
          if (record === null) return { status: 'rejected', reason: 'expired' };
          if (record === 'corrupt') return { status: 'rejected', reason: 'invalid' };
          return { status: 'found', state: toState(record), handle: cookieValue, stale: false };
        },

        async save(input: SaveInput): Promise<string | null> {
          const token = input.handle ?? createToken();
          const pendingKey = sessionKey(token);
          const key = typeof pendingKey === 'string' ? pendingKey : await pendingKey;
          const { state } = input;
          const set: Record<string, unknown> = {};
          const unset: string[] = [];
          for (const name of input.changedKeys) {
            if (Object.hasOwn(state.data, name)) set[name] = state.data[name];
            else unset.push(name);
          }
          const record: StoredRecord = { id: state.id, lastActiveAt: state.lastActiveAt, data: state.data };
          if (state.userId !== undefined) record.userId = state.userId;
          const flashSet: Record<string, unknown> = {};
          if (state.flash !== undefined) {
            record.flash = state.flash;
            for (const name of input.changedFlash ?? []) {
              if (Object.hasOwn(state.flash, name)) flashSet[name] = state.flash[name];
            }
          }
          const remove = input.previous.length === 0 ? [] : await Promise.all(input.previous.map(sessionKey));
          const mode = input.handle === undefined ? 'create' : input.cleared ? 'replace' : 'merge';
          // A user is bound only when an identity is created, and the entry
          // carries the absolute expiry: idle refreshes never outlive it.
          const index =
            state.userId === undefined || mode !== 'create'
              ? undefined
              : {
                  key: await indexKey(state.userId),
                  member: memberOf(key),
                  expiresAt: state.createdAt + context.maxAge * 1000,
                  now: context.now(),
                };
          const ok = await call('save', () =>
            driver.save({
              key,
              mode,
              record,
              set,
              unset,
              flashSet,
              expiresAt: input.expiresAt,
              remove,
              index,
            }),
          );
          return ok ? token : null;
        },

        async destroy(handle: string): Promise<void> {
          if (!isWellFormedToken(handle)) return;
          const key = await sessionKey(handle);
          await call('destroy', () => driver.remove([key]));
        },

        async touch(handle: string, lastActiveAt: number, expiresAt: number): Promise<boolean> {
          const key = await sessionKey(handle);
          return call('touch', () => driver.touch(key, lastActiveAt, expiresAt));
        },

        async takeFlash(handle: string, expiresAt: number): Promise<Record<string, unknown>> {
          const pendingKey = sessionKey(handle);
          const key = typeof pendingKey === 'string' ? pendingKey : await pendingKey;
          return call('flash', () => driver.takeFlash(key, expiresAt));
        },

        async refOf(handle: string): Promise<string> {
          return sha256Base64url(handle);
        },

        async listUserSessions(userId: string): Promise<UserSessionInfo[]> {
          const idx = await indexKey(userId);
          const now = context.now();
          const entries = await call('list', () => driver.listIndex(idx, now));
          if (entries.length === 0) return [];
          const records = await call('list', () => driver.loadMany(entries.map((e) => keyOf(e.member))));
          const dead: string[] = [];
          const sessions: UserSessionInfo[] = [];
          entries.forEach((entry, i) => {
            const record = records[i];
            if (record === null || record === undefined || record === 'corrupt' || record.userId !== userId) {
              dead.push(entry.member);
              return;
            }
            const createdAt = createdAtFromSessionId(record.id) as number;
            const absolute = createdAt + context.maxAge * 1000;
            const expiresAt =
              idle === undefined ? absolute : Math.min(absolute, record.lastActiveAt + idle * 1000);
            if (expiresAt < now) return;
            sessions.push({
              handle: entry.member,
              id: record.id,
              createdAt,
              lastSeen: record.lastActiveAt,
              expiresAt,
            });
          });
          if (dead.length > 0) await call('list', () => driver.removeFromIndex(idx, dead));
          return sessions.sort((a, b) => b.lastSeen - a.lastSeen);
        },

        async destroyUserSessions(userId: string, except: readonly string[]): Promise<number> {
          const idx = await indexKey(userId);
          const entries = await call('revoke', () => driver.listIndex(idx, context.now()));
          const doomed = entries.map((e) => e.member).filter((m) => !except.includes(m));
          if (doomed.length === 0) return 0;
          // Count (and delete) only live sessions of this user: an index may
          // still list sessions that already ended.
          const records = await call('revoke', () => driver.loadMany(doomed.map(keyOf)));
          const live = doomed.filter((_, i) => {
            const record = records[i];
            return typeof record === 'object' && record !== null && record.userId === userId;
          });
          if (live.length > 0) await call('revoke', () => driver.remove(live.map(keyOf)));
          await call('revoke', () => driver.removeFromIndex(idx, doomed));
          return live.length;
        },
      };
    },
  };
}
