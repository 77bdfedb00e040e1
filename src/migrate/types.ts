import type { CookieJar, InvalidSessionReason, SessionData } from '../types.ts';

/**
 * What a migration source is told about the request it reads.
 *
 * @example
 * ```ts
 * const request: MigrationRequest = { secure: true, now: Date.now() };
 * ```
 */
export interface MigrationRequest {
  /** The request arrived over https (as the kit decides it for its own cookie). */
  secure: boolean;
  /** The kit's clock (Unix ms). */
  now: number;
}

/**
 * What a migration source found in a request: no cookie of its own, a cookie
 * it refuses (and why), or the session to carry over.
 *
 * @example
 * ```ts
 * const read: MigrationRead = { status: 'found', data: { user: 'ada' }, userId: 'ada' };
 * ```
 */
export type MigrationRead<Data extends SessionData = SessionData> =
  | { status: 'absent' }
  | { status: 'rejected'; reason: InvalidSessionReason }
  | { status: 'found'; data: Data; userId: string | undefined };

/**
 * Another library's session cookie that the kit reads while no cookie of its
 * own is present, so users stay signed in across the switch:
 * `ironSession()` (`next-session-kit/migrate/iron-session`) and
 * `authjsSession()` (`next-session-kit/migrate/authjs`) make them. Pass them
 * as `createSessionKit({ migrateFrom })`.
 *
 * @example
 * ```ts
 * import { ironSession } from 'next-session-kit/migrate/iron-session';
 * const source: MigrationSource<Data> = ironSession<Data>({ password: process.env.IRON_PASSWORD!, cookieName: 'my-app' });
 * ```
 */
export interface MigrationSource<Data extends SessionData = SessionData> {
  /** Names the source in `onInvalidSession`'s second argument: `'iron-session'`, `'authjs'`. */
  readonly name: string;
  /** Every cookie name the source may read (without `.N` chunk suffixes), checked at creation against the kit's own. */
  readonly cookieNames: readonly string[];
  /** Reads the source's cookie from the request. Bad input is a `rejected` value, never a throw. */
  read(jar: CookieJar, request: MigrationRequest): Promise<MigrationRead<Data>>;
  /** Expires the source's cookies that the request carries (called when the kit writes its own). */
  clear(jar: CookieJar, request: MigrationRequest): void;
}
