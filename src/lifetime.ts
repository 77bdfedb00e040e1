/**
 * How far in the future a session's creation or last activity may lie (ms)
 * before the session is refused with reason `future`: 60 s, the allowance
 * Python's Fernet gives a token's timestamp. Only the holder of a key (or a
 * server with a wrong clock) can write such a time, and a session "created"
 * years ahead would outlive `maxAge` and `idleTimeout` by as much.
 *
 * @internal
 */
export const MAX_FUTURE_SKEW_MS = 60_000;
/**
 * Servers in one deployment disagree a little about the time; accept a
 * session this long past its expiry rather than log users out early.
 *
 * @internal
 */
export const CLOCK_SKEW_MS = 5_000;
// The cookie dies this much before the server-side expiry (at most 60 s, at
// most 5 % of the lifetime) so browsers stop sending it first.
const COOKIE_EARLY_MAX_S = 60;
// The idle expiry slides at most every tenth of `idleTimeout`, at most hourly:
// each slide is a write (a cookie or a store TTL), and a tenth is lost at most.
const TOUCH_INTERVAL_MAX_S = 3600;

/**
 * The two times a session's expiry follows from (Unix ms).
 *
 * @example
 * ```ts
 * const times: SessionTimes = { createdAt: state.createdAt, lastActiveAt: state.lastActiveAt };
 * ```
 */
export interface SessionTimes {
  readonly createdAt: number;
  readonly lastActiveAt: number;
}

/**
 * Where a session's idle expiry slides: in the cookie (re-issued with a new
 * expiry), in the store (a TTL refresh; the cookie lives until the absolute
 * end), or nowhere (a storage that has no idle timeout).
 *
 * @example
 * ```ts
 * const idle: IdleClock = 'store'; // a TTL refresh: the cookie lives until the absolute end
 * ```
 */
export type IdleClock = 'cookie' | 'store' | 'none';

/**
 * Every time rule of a kit, computed once from `maxAge` and `idleTimeout`:
 * the engine, the storages and the user listing read it and never redo the
 * arithmetic. A storage receives it as `StorageContext.lifetime`.
 *
 * @example
 * ```ts
 * create(context: StorageContext): BoundStorage {
 *   const expiresAt = context.lifetime.expiresAt(state); // the earlier of the absolute and idle ends
 * }
 * ```
 */
export interface Lifetime {
  /** Absolute lifetime in seconds. */
  readonly maxAge: number;
  /** Idle lifetime in seconds, if any. */
  readonly idleTimeout: number | undefined;
  /** Seconds between two slides of the idle expiry (`undefined` without `idleTimeout`). */
  readonly touchInterval: number | undefined;
  /** The absolute end of a session created at `createdAt` (Unix ms). */
  absoluteEnd(createdAt: number): number;
  /** When the session stops being accepted: the earlier of the absolute and idle ends (Unix ms). */
  expiresAt(times: SessionTimes): number;
  /** Why a loaded session is refused at `now`, if it is: times ahead of the clock, or expired. */
  refusal(times: SessionTimes, now: number): 'future' | 'expired' | undefined;
  /** The cookie's own expiry, for a storage whose idle expiry slides where `idle` says. */
  cookie(idle: IdleClock): CookieLifetime;
}

/**
 * When a session's cookie dies, as the browser is told.
 *
 * @example
 * ```ts
 * const cookie = context.lifetime.cookie('cookie');
 * const maxAge = cookie.maxAge(now, cookie.until(state)); // seconds, for Set-Cookie
 * ```
 */
export interface CookieLifetime {
  /** When the cookie of a session with these times should die (Unix ms). */
  until(times: SessionTimes): number;
  /**
   * `Max-Age` (seconds) of a cookie that should die at `until`: a little
   * early, so browsers stop sending it before the server refuses it; 0 once
   * `until` has passed.
   */
  maxAge(now: number, until: number): number;
}

/**
 * Builds the {@link Lifetime} of a kit from its validated options.
 *
 * @internal
 */
export function createLifetime(maxAge: number, idleTimeout: number | undefined): Lifetime {
  const maxAgeMs = maxAge * 1000;
  const idleMs = idleTimeout === undefined ? undefined : idleTimeout * 1000;
  const absoluteEnd = (createdAt: number): number => createdAt + maxAgeMs;
  const expiresAt = (times: SessionTimes): number => {
    const absolute = times.createdAt + maxAgeMs;
    return idleMs === undefined ? absolute : Math.min(absolute, times.lastActiveAt + idleMs);
  };
  const cookieLifetime = (lifetimeS: number, until: (times: SessionTimes) => number): CookieLifetime => {
    const early = Math.min(COOKIE_EARLY_MAX_S, Math.floor(lifetimeS / 20));
    return {
      until,
      maxAge(now, end) {
        const remaining = Math.floor((end - now) / 1000);
        return remaining <= 0 ? 0 : Math.max(1, remaining - early);
      },
    };
  };
  // A store slides the idle expiry in its TTL, so its cookie lives until the absolute end.
  const storeCookie = cookieLifetime(maxAge, (times) => absoluteEnd(times.createdAt));
  const ownCookie = cookieLifetime(Math.min(maxAge, idleTimeout ?? maxAge), expiresAt);
  return {
    maxAge,
    idleTimeout,
    touchInterval:
      idleTimeout === undefined ? undefined : Math.min(TOUCH_INTERVAL_MAX_S, Math.floor(idleTimeout / 10)),
    absoluteEnd,
    expiresAt,
    refusal(times, now) {
      const latest = now + MAX_FUTURE_SKEW_MS;
      if (times.createdAt > latest || times.lastActiveAt > latest) return 'future';
      return now > expiresAt(times) + CLOCK_SKEW_MS ? 'expired' : undefined;
    },
    cookie: (idle) => (idle === 'store' ? storeCookie : ownCookie),
  };
}

/**
 * How the kit's own formats record a write's time: the last activity in
 * whole seconds after creation, as the cookie payload keeps it, so
 * `expiresAt` reads the same now and on the next request.
 *
 * @internal
 */
export function stampActivity(state: { createdAt: number; lastActiveAt: number }, now: number): void {
  state.lastActiveAt = now - ((now - state.createdAt) % 1000);
}
