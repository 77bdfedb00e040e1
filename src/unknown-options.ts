import { SessionConfigError } from './errors.ts';
import { printable } from './printable.ts';

/**
 * Refuses, at creation, every key of `options` not in `valid`: `Unknown
 * <what> "<key>". Valid options: a, b.` `explain` may give a key a message
 * of its own (an option that exists elsewhere but means nothing here).
 *
 * @internal
 */
export function rejectUnknownOptions(
  options: object,
  valid: readonly string[],
  what: string,
  explain?: (key: string) => string | undefined,
): void {
  for (const key of Object.keys(options)) {
    if (valid.includes(key)) continue;
    throw new SessionConfigError(
      explain?.(key) ?? `Unknown ${what} "${printable(key)}". Valid options: ${valid.join(', ')}.`,
    );
  }
}
