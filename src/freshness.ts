import { MAX_FUTURE_SKEW_MS } from './lifetime.ts';

/**
 * The code of a refused stale session, in `SessionNotFreshError` and in the
 * guard's 401 JSON for API paths.
 *
 * @internal
 */
export const NOT_FRESH_CODE = 'ERR_SESSION_NOT_FRESH';

/**
 * Whether a sign-in at `authenticatedAt` (Unix ms) is at most `maxAge`
 * seconds old at `now`. Unknown is never fresh, and neither is a time too
 * far ahead of the clock (only a wrong server clock writes one).
 *
 * @internal
 */
export function isFresh(authenticatedAt: number | undefined, maxAge: number, now: number): boolean {
  if (authenticatedAt === undefined) return false;
  if (authenticatedAt > now + MAX_FUTURE_SKEW_MS) return false;
  return now - authenticatedAt <= maxAge * 1000;
}
