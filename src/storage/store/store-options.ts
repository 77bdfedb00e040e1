import { SessionConfigError } from '../../errors.ts';
import { rejectUnknownOptions } from '../../unknown-options.ts';
import { type CookieCacheOptions, resolveCookieCache } from './cookie-cache.ts';

/**
 * Options of `defineStore()`, and so of every store-backed storage.
 *
 * @example
 * ```ts
 * defineStore(adapter, { timeout: 1000, touchAfter: 300, maxSessionsPerUser: 5 });
 * ```
 */
export interface StoreOptions {
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
  /**
   * Opt-in: serve reads for up to `maxAge` seconds from a sealed copy of the
   * session in a second cookie (`<cookie name>.cache`), with no store round
   * trip. A revocation (logout elsewhere, `destroyUserSessions()`,
   * `maxSessionsPerUser`) reaches a browser holding a copy only when it
   * expires; saves still go to the store. See "Cookie cache" in docs/stores.md.
   */
  cookieCache?: CookieCacheOptions;
}

/**
 * {@link StoreOptions} validated, with defaults applied.
 */
export interface ResolvedStoreOptions {
  timeout: number;
  touchAfter: number | undefined;
  maxSessionsPerUser: number | undefined;
  cookieCache: CookieCacheOptions | undefined;
}

const OPTION_KEYS = ['timeout', 'touchAfter', 'maxSessionsPerUser', 'cookieCache'];

/**
 * Validates the store options of `factory`, whose own options are `ownKeys`;
 * anything else is refused with the list of valid ones.
 */
export function resolveStoreOptions(
  factory: string,
  options: object,
  ownKeys: readonly string[],
): ResolvedStoreOptions {
  rejectUnknownOptions(options, [...ownKeys, ...OPTION_KEYS], `${factory} option`);
  const { timeout = 2000, touchAfter, maxSessionsPerUser } = options as StoreOptions;
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
  const cookieCache = resolveCookieCache((options as StoreOptions).cookieCache);
  return { timeout, touchAfter, maxSessionsPerUser, cookieCache };
}

/**
 * Validates the `keyPrefix` option of the kit's own stores (default `sess:`).
 */
export function resolveKeyPrefix(keyPrefix: unknown = 'sess:'): string {
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 100 || !/^[\x21-\x7e]*$/.test(keyPrefix)) {
    throw new SessionConfigError(
      '`keyPrefix` must be at most 100 printable ASCII characters without spaces, e.g. "sess:".',
    );
  }
  return keyPrefix;
}
