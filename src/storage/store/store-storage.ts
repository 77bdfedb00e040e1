import { SessionConfigError } from '../../errors.ts';
import type {
  LoadResult,
  SaveInput,
  SessionBackend,
  SessionStorage,
  StorageContext,
  UserSessionInfo,
} from '../types.ts';
import { batches } from './batches.ts';
import type { IndexWrite, StoreDriver, StoredRecord, StoreWrite } from './driver.ts';
import { loginEndedBySessionLimit } from './session-limit.ts';
import { guarded } from './timeout.ts';
import { createToken, isWellFormedToken, sha256Base64url } from './token.ts';

/**
 * Options every store-backed storage accepts.
 *
 * @example
 * ```ts
 * redisStorage({ client, keyPrefix: 'myapp:sess:', timeout: 1000, touchAfter: 300, maxSessionsPerUser: 5 });
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
  /**
   * How many sessions one user (bound by `newSession({ userId })`) may have at
   * once. A login beyond it ends that user's oldest sessions: their records
   * are deleted, so those devices get a fresh empty session on their next
   * request, as after a logout. The newest sessions (by creation time) always
   * win, so of concurrent logins whose saves land newest first, the older
   * ones end at once and their saves set no cookie. Default: no limit.
   */
  maxSessionsPerUser?: number;
}

const OPTION_KEYS = ['keyPrefix', 'timeout', 'touchAfter', 'maxSessionsPerUser'];
const NONE: readonly string[] = Object.freeze([]);

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
): Required<Omit<StoreOptions, 'touchAfter' | 'maxSessionsPerUser'>> & {
  touchAfter: number | undefined;
  maxSessionsPerUser: number | undefined;
} {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key) && !ownKeys.includes(key)) {
      throw new SessionConfigError(
        `Unknown ${factory} option "${key.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}". ` +
          `Valid options: ${[...ownKeys, ...OPTION_KEYS].join(', ')}.`,
      );
    }
  }
  const { keyPrefix = 'sess:', timeout = 2000, touchAfter, maxSessionsPerUser } = options as StoreOptions;
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
  if (
    maxSessionsPerUser !== undefined &&
    (!Number.isSafeInteger(maxSessionsPerUser) || (maxSessionsPerUser as number) < 1)
  ) {
    throw new SessionConfigError(
      '`maxSessionsPerUser` must be a whole number of sessions, 1 or more (e.g. 5), ' +
        'or left out for no limit.',
    );
  }
  return { keyPrefix, timeout, touchAfter, maxSessionsPerUser };
}

/**
 * Turns a {@link StoreDriver} into a `SessionStorage`: the cookie carries an
 * opaque 256-bit token, the store key is the prefix plus SHA-256 of it, and
 * every load and save costs one round trip (a load due an idle refresh: two).
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
  const call = <T, R = T>(operation: string, fn: () => Promise<T>, map?: (value: T) => R) =>
    guarded(driver.name, operation, timeout, fn, map);
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
  // A user may have thousands of sessions: one store call, with its own
  // deadline, per batch.
  const loadAll = async (operation: string, keys: readonly string[]) => {
    const records: Array<StoredRecord | null | 'corrupt'> = [];
    for (const batch of batches(keys)) {
      for (const record of await call(operation, () => driver.loadMany(batch))) records.push(record);
    }
    return records;
  };
  const eachBatch = async (
    operation: string,
    items: readonly string[],
    fn: (batch: readonly string[]) => Promise<void>,
  ) => {
    for (const batch of batches(items)) await call(operation, () => fn(batch));
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

      const loadKey = (key: string, token: string): Promise<LoadResult> =>
        call(
          'load',
          () => driver.load(key),
          (record): LoadResult => {
            // Gone: expired, logged out, revoked, or never issued.
            if (record === null) return { status: 'rejected', reason: 'expired' };
            if (record === 'corrupt') return { status: 'rejected', reason: 'invalid' };
            // A loaded record already has the state's shape, createdAt included.
            return { status: 'found', state: record, handle: token, stale: false };
          },
        );

      const write = (
        key: string,
        token: string,
        input: SaveInput,
        remove: readonly string[],
        index: IndexWrite | undefined,
      ): Promise<string | null> => {
        const mode = input.handle === undefined ? 'create' : input.cleared ? 'replace' : 'merge';
        const storeWrite: StoreWrite = {
          key,
          mode,
          // The state has a record's shape; drivers only read it.
          record: input.state,
          changed: input.changedKeys,
          changedFlash: input.changedFlash ?? NONE,
          expiresAt: input.expiresAt,
          remove,
          index,
        };
        return call(
          'save',
          () => driver.save(storeWrite),
          // A login ended by maxSessionsPerUser (newer concurrent logins won)
          // is answered like a session revoked meanwhile: no cookie.
          (ok) => (ok && (index === undefined || !loginEndedBySessionLimit(index)) ? token : null),
        );
      };

      // Login: a new identity, previous ones to delete, maybe a user to index.
      const writeNew = async (token: string, input: SaveInput): Promise<string | null> => {
        const key = await sessionKey(token);
        const remove = input.previous.length === 0 ? NONE : await Promise.all(input.previous.map(sessionKey));
        const { state } = input;
        // A user is bound only when an identity is created, and the entry
        // carries the absolute expiry: idle refreshes never outlive it.
        const index: IndexWrite | undefined =
          state.userId === undefined || input.handle !== undefined
            ? undefined
            : {
                key: await indexKey(state.userId),
                member: memberOf(key),
                createdAt: state.createdAt,
                expiresAt: state.createdAt + context.maxAge * 1000,
                now: context.now(),
                userId: state.userId,
                limit: options.maxSessionsPerUser,
                drop: remove.map(memberOf),
                sessionPrefix: `${keyPrefix}s:`,
              };
        return write(key, token, input, remove, index);
      };

      return {
        kind: 'store',
        maxChunks: 1,
        touchAfter,
        mergesKeys: driver.mergesKeys,

        load(cookieValue: string): Promise<LoadResult> {
          // Junk never reaches the store, and a client cannot choose its id:
          // only tokens we issued and stored resolve.
          if (!isWellFormedToken(cookieValue))
            return Promise.resolve({ status: 'rejected', reason: 'invalid' });
          const key = sessionKey(cookieValue);
          return typeof key === 'string'
            ? loadKey(key, cookieValue)
            : key.then((k) => loadKey(k, cookieValue));
        },

        save(input: SaveInput): Promise<string | null> {
          const token = input.handle ?? createToken();
          if (input.handle !== undefined && input.previous.length === 0) {
            // An update of a loaded session (nearly every save): the key is
            // cached from the load, so no await stands between it and the store.
            const key = sessionKey(token);
            if (typeof key === 'string') return write(key, token, input, NONE, undefined);
          }
          return writeNew(token, input);
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
          const records = await loadAll(
            'list',
            entries.map((e) => keyOf(e.member)),
          );
          const dead: string[] = [];
          const sessions: UserSessionInfo[] = [];
          entries.forEach((entry, i) => {
            const record = records[i];
            if (record === null || record === undefined || record === 'corrupt' || record.userId !== userId) {
              dead.push(entry.member);
              return;
            }
            const { createdAt } = record;
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
          await eachBatch('list', dead, (batch) => driver.removeFromIndex(idx, batch));
          return sessions.sort((a, b) => b.lastSeen - a.lastSeen);
        },

        async destroyUserSessions(userId: string, except: readonly string[]): Promise<number> {
          const idx = await indexKey(userId);
          const entries = await call('revoke', () => driver.listIndex(idx, context.now()));
          const kept = new Set(except);
          const doomed = entries.map((e) => e.member).filter((m) => !kept.has(m));
          if (doomed.length === 0) return 0;
          // Count (and delete) only live sessions of this user: an index may
          // still list sessions that already ended.
          const records = await loadAll('revoke', doomed.map(keyOf));
          const live = doomed.filter((_, i) => {
            const record = records[i];
            return typeof record === 'object' && record !== null && record.userId === userId;
          });
          await eachBatch('revoke', live.map(keyOf), (batch) => driver.remove(batch));
          await eachBatch('revoke', doomed, (batch) => driver.removeFromIndex(idx, batch));
          return live.length;
        },
      };
    },
  };
}
