import { type CookiePrefix, resolveCookiePrefix } from './cookie/prefix.ts';
import { type ResolvedCookieOptions, resolveCookieOptions, validateCookieName } from './cookie/validate.ts';
import { SessionConfigError } from './errors.ts';
import { type ClientSessionData, type ExposeOption, type Exposer, resolveExpose } from './expose.ts';
import { type LiveSessionOptions, type ResolvedLive, resolveLive } from './live/options.ts';
import { resolveMigrateFrom } from './migrate/options.ts';
import type { MigrationSource } from './migrate/types.ts';
import type { DataRules, Migrate } from './schema/data-check.ts';
import { resolveDataRules, resolveWarnUnsaved, type WarnUnsaved } from './schema/options.ts';
import type { StandardSchemaV1 } from './schema/standard-schema.ts';
import type { SessionStorage } from './storage/types.ts';
import type { CookieOptions, InvalidSessionDetail, InvalidSessionReason, SessionData } from './types.ts';
import { rejectUnknownOptions } from './unknown-options.ts';

const DAY = 60 * 60 * 24;
// RFC 6265bis caps a cookie's lifetime at 400 days; browsers clamp to it.
const MAX_LIFETIME = 400 * DAY;
const KIT_OPTION_KEYS = [
  'storage',
  'cookieName',
  'maxAge',
  'idleTimeout',
  'cookie',
  'onInvalidSession',
  'now',
  'schema',
  'version',
  'migrate',
  'warnUnsaved',
  'expose',
  'live',
  'migrateFrom',
];

/**
 * Options of `createSessionKit`. Validated once, at creation.
 *
 * @example
 * ```ts
 * const options: SessionKitOptions = {
 *   storage: encryptedCookieStorage({ secret: process.env.SESSION_SECRET! }),
 *   maxAge: 60 * 60 * 24 * 14,
 *   idleTimeout: 60 * 60 * 24,
 * };
 * ```
 */
export interface SessionKitOptions<
  Data extends SessionData = SessionData,
  Client extends ClientSessionData = Partial<Data>,
> {
  /** Where sessions live: `encryptedCookieStorage(...)`, `redisStorage(...)`, … */
  storage: SessionStorage;
  /**
   * Cookie name; default `session`. Whenever the cookie is Secure (https,
   * production) the browser gets it as `__Host-session` unless
   * `cookie.prefix` is `'none'`; the key is derived from this name as
   * configured. A name that starts with `__Host-` or `__Secure-` is used as is.
   */
  cookieName?: string;
  /** Absolute lifetime in seconds from creation; default 14 days, at most 400 days. */
  maxAge?: number;
  /** Optional idle lifetime in seconds: a session unused this long ends. At most `maxAge`. */
  idleTimeout?: number;
  /** Cookie attributes and name prefix; secure defaults (HttpOnly, SameSite=Lax, Path=/, Secure and `__Host-` in production). */
  cookie?: CookieOptions;
  /**
   * Called when a cookie is rejected; the request goes on with a fresh
   * session. Never gets the cookie value. `detail.source` is set when the
   * cookie was another library's, read for `migrateFrom` (`'iron-session'`,
   * `'authjs'`).
   */
  onInvalidSession?: (reason: InvalidSessionReason, detail?: InvalidSessionDetail) => void;
  /** Clock in Unix ms, for tests. Default `Date.now`. */
  now?: () => number;
  /**
   * Any Standard Schema validator (zod 4, valibot, arktype). Loaded data that
   * fails it gives a fresh session (reason `schema`); `Data` is its output type.
   */
  schema?: StandardSchemaV1<unknown, Data>;
  /** Version of the data's shape; default 1. Sessions without one are version 1. */
  version?: number;
  /** Brings data of an older `version` to the current shape on load (then the `schema` checks it). */
  migrate?: Migrate;
  /** Warn when a Server Action or Route Handler changes the session but never saves it. Default `'development'`. */
  warnUnsaved?: WarnUnsaved;
  /**
   * What client components may read through `useSession()`: data keys such as
   * `['user', 'theme']`, or a function `(data) => ({ ... })` returning JSON.
   * Nothing else of the session reaches the browser. Default: nothing.
   */
  expose?: ExposeOption<Data, Client>;
  /**
   * `useSession()` follows the server in every tab: a login, logout or
   * change of an exposed field in one tab shows in the others, and a tab
   * refetches when it comes back into view. `endpoint` is where your app
   * mounts `export const GET = clientSessionHandler`. Needs `expose`.
   * Default: off (client components follow only their own tab's Server Actions).
   */
  live?: LiveSessionOptions;
  /**
   * Keeps users signed in across a switch from another session library:
   * `ironSession({ … })` from `next-session-kit/migrate/iron-session`,
   * `authjsSession({ … })` from `next-session-kit/migrate/authjs`, or a list.
   * Read only while a request carries no cookie of the kit's own; the first
   * save writes the kit's cookie and clears the old one.
   */
  migrateFrom?: MigrationSource<NoInfer<Data>> | readonly MigrationSource<NoInfer<Data>>[];
}

/**
 * Options after validation, with defaults applied.
 */
export interface ResolvedKitOptions {
  storage: SessionStorage;
  cookieName: string;
  maxAge: number;
  idleTimeout: number | undefined;
  /** `prefix`: whether Secure cookies get a `__Host-`/`__Secure-` name (see `SessionEngine.cookieNameOn`). */
  cookie: ResolvedCookieOptions & { prefix: CookiePrefix };
  onInvalidSession: ((reason: InvalidSessionReason, detail?: InvalidSessionDetail) => void) | undefined;
  now: () => number;
  /** `schema`, `version`, `migrate`. */
  data: DataRules;
  warnUnsaved: boolean;
  /** `expose`: session data in, the client snapshot out. */
  expose: Exposer;
  /** `live`, or `undefined` when off. */
  live: ResolvedLive | undefined;
  /** `migrateFrom`, as a list (empty: no migration). */
  migrateFrom: readonly MigrationSource[];
}

/**
 * Validates kit options; throws `SessionConfigError` with a message that
 * says how to fix the problem.
 */
export function resolveKitOptions<Data extends SessionData, Client extends ClientSessionData = Partial<Data>>(
  options: SessionKitOptions<Data, Client>,
): ResolvedKitOptions {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('createSessionKit() needs an options object such as { storage }.');
  }
  rejectUnknownOptions(options, KIT_OPTION_KEYS, 'option');
  const { storage } = options;
  if (typeof storage !== 'object' || storage === null || typeof storage.create !== 'function') {
    throw new SessionConfigError(
      '`storage` is required: pass encryptedCookieStorage({ secret: process.env.SESSION_SECRET }) ' +
        'or a store such as redisStorage({ client }).',
    );
  }
  const cookieName = validateCookieName(options.cookieName ?? 'session');
  const maxAge = seconds('maxAge', options.maxAge ?? 14 * DAY);
  const idleTimeout =
    options.idleTimeout === undefined ? undefined : seconds('idleTimeout', options.idleTimeout);
  if (idleTimeout !== undefined && idleTimeout > maxAge) {
    throw new SessionConfigError(
      '`idleTimeout` must not exceed `maxAge`: a session can never be idle longer than it lives.',
    );
  }
  const cookie = {
    ...resolveCookieOptions(cookieName, options.cookie),
    prefix: resolveCookiePrefix(options.cookie?.prefix, storage),
  };
  if (options.onInvalidSession !== undefined && typeof options.onInvalidSession !== 'function') {
    throw new SessionConfigError('`onInvalidSession` must be a function (reason) => void.');
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new SessionConfigError('`now` must be a function returning Unix milliseconds.');
  }
  const live = resolveLive(options.live);
  if (live !== undefined && options.expose === undefined) {
    throw new SessionConfigError(
      "`live` needs `expose`: without it client components see nothing to follow. Add e.g. expose: ['user'].",
    );
  }
  return {
    storage,
    cookieName,
    maxAge,
    idleTimeout,
    cookie,
    onInvalidSession: options.onInvalidSession,
    now: options.now ?? Date.now,
    data: resolveDataRules(options),
    warnUnsaved: resolveWarnUnsaved(options.warnUnsaved),
    expose: resolveExpose(options.expose),
    live,
    migrateFrom: resolveMigrateFrom(options.migrateFrom, {
      cookieName,
      exactCookieName: storage.exactCookieName === true,
    }),
  };
}

function seconds(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_LIFETIME) {
    throw new SessionConfigError(
      `\`${name}\` must be a whole number of seconds between 1 and ${MAX_LIFETIME} (400 days, ` +
        'the longest lifetime browsers keep a cookie), e.g. 60 * 60 * 24 * 14 for 14 days.',
    );
  }
  return value;
}
