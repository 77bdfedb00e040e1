import { SessionConfigError } from '../errors.ts';

/**
 * Checks a `userId` given to `newSession()` (App Router or Pages Router):
 * `undefined`, or a non-empty string of at most 256 characters.
 *
 * @example
 * ```ts
 * const userId = validateUserId(options?.userId);
 * ```
 */
export function validateUserId(userId: unknown): string | undefined {
  if (userId === undefined) return undefined;
  if (typeof userId !== 'string' || userId.length === 0 || userId.length > 256) {
    throw new SessionConfigError('`userId` must be a non-empty string of at most 256 characters.');
  }
  return userId;
}
