import { SessionConfigError } from './errors.ts';

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
// RFC 6265bis caps a cookie's lifetime at 400 days; browsers clamp to it.
const MAX_LIFETIME_S = 400 * 24 * 60 * 60;

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
  /** This session's own lifetime rules, when `newSession()` set any. */
  readonly lifetime?: SessionLifetime | undefined;
}

/**
 * What one session changes of the kit's lifetime, set by
 * `newSession({ persistent, maxAge })` and kept with the session (in its
 * cookie, or its stored record) for as long as it lives: rotation,
 * re-sealing, saves and the guard's refresh carry it unchanged.
 *
 * @example
 * ```ts
 * const own: SessionLifetime = { persistent: false }; // a browser-session cookie; the server still expires it
 * ```
 */
export interface SessionLifetime {
  /** Absolute lifetime in seconds for this session only, instead of the kit's `maxAge`. */
  maxAge?: number;
  /** `false`: the cookie has no `Max-Age`/`Expires`, so the browser drops it when it closes. */
  persistent?: false;
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
  /** The absolute end of a session created at `createdAt` (Unix ms), under its own `maxAge` if it has one. */
  absoluteEnd(createdAt: number, own?: SessionLifetime): number;
  /** When the session stops being accepted: the earlier of the absolute and idle ends (Unix ms). */
  expiresAt(times: SessionTimes): number;
  /** Why a loaded session is refused at `now`, if it is: times ahead of the clock, or expired. */
  refusal(times: SessionTimes, now: number): 'future' | 'expired' | undefined;
  /** The cookie's own expiry, for a storage whose idle expiry slides where `idle` says. */
  cookie(idle: IdleClock): CookieLifetime;
  /**
   * Checks `newSession()`'s `persistent` and `maxAge` and returns what the
   * session keeps of them (`undefined`: the kit's defaults). Throws
   * `SessionConfigError` for a value the kit cannot honour.
   */
  own(options: { persistent?: unknown; maxAge?: unknown }): SessionLifetime | undefined;
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
  /**
   * `Max-Age` (seconds) of the cookie of a session with these times, or
   * `undefined` for a browser-session cookie (`persistent: false`), which
   * carries no `Max-Age`/`Expires` while the server still expires it.
   */
  maxAgeOf(times: SessionTimes, now: number): number | undefined;
}

/**
 * Builds the {@link Lifetime} of a kit from its validated options.
 *
 * @internal
 */
export function createLifetime(maxAge: number, idleTimeout: number | undefined): Lifetime {
  const maxAgeMs = maxAge * 1000;
  const idleMs = idleTimeout === undefined ? undefined : idleTimeout * 1000;
  const absoluteEnd = (createdAt: number, own?: SessionLifetime): number =>
    createdAt + (own?.maxAge === undefined ? maxAgeMs : own.maxAge * 1000);
  const expiresAt = (times: SessionTimes): number => {
    const absolute = absoluteEnd(times.createdAt, times.lifetime);
    return idleMs === undefined ? absolute : Math.min(absolute, times.lastActiveAt + idleMs);
  };
  const cookieLifetime = (lifetimeS: number, until: (times: SessionTimes) => number): CookieLifetime => {
    const early = Math.min(COOKIE_EARLY_MAX_S, Math.floor(lifetimeS / 20));
    const maxAgeAt = (now: number, end: number): number => {
      const remaining = Math.floor((end - now) / 1000);
      return remaining <= 0 ? 0 : Math.max(1, remaining - early);
    };
    return {
      until,
      maxAge: maxAgeAt,
      maxAgeOf: (times, now) =>
        times.lifetime?.persistent === false ? undefined : maxAgeAt(now, until(times)),
    };
  };
  // A store slides the idle expiry in its TTL, so its cookie lives until the absolute end.
  const storeCookie = cookieLifetime(maxAge, (times) => absoluteEnd(times.createdAt, times.lifetime));
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
    own: (options) => ownLifetime(options, maxAge),
  };
}

// newSession({ persistent, maxAge }): validated where the session starts,
// with the same bounds as the kit's own `maxAge`. The kit's values are not
// recorded, so a session that asks for nothing special costs no bytes.
function ownLifetime(
  options: { persistent?: unknown; maxAge?: unknown },
  kitMaxAge: number,
): SessionLifetime | undefined {
  const { persistent, maxAge } = options;
  if (persistent !== undefined && typeof persistent !== 'boolean') {
    throw new SessionConfigError(
      '`persistent` must be true or false (false: the cookie ends with the browser).',
    );
  }
  if (
    maxAge !== undefined &&
    (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 1 || maxAge > MAX_LIFETIME_S)
  ) {
    throw new SessionConfigError(
      `\`maxAge\` must be a whole number of seconds between 1 and ${MAX_LIFETIME_S} (400 days, the longest ` +
        'lifetime browsers keep a cookie), e.g. 60 * 60 * 24 * 30 for a 30-day remember-me session.',
    );
  }
  const own: SessionLifetime = {};
  if (maxAge !== undefined && maxAge !== kitMaxAge) own.maxAge = maxAge;
  if (persistent === false) own.persistent = false;
  return own.maxAge === undefined && own.persistent === undefined ? undefined : own;
}

/**
 * Whether `value` is a {@link SessionLifetime} as the kit writes it: read
 * back from a cookie or a store (untrusted), so every field is checked.
 *
 * @internal
 */
export function isSessionLifetime(value: unknown): value is SessionLifetime {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const { maxAge, persistent, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return false;
  if (persistent !== undefined && persistent !== false) return false;
  if (maxAge === undefined) return persistent === false;
  return typeof maxAge === 'number' && Number.isInteger(maxAge) && maxAge >= 1 && maxAge <= MAX_LIFETIME_S;
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
