import { SessionStoreError, SessionUnsupportedError } from './errors.ts';
import { printable } from './printable.ts';
import type { SessionState } from './storage/types.ts';

/**
 * Turns the `TypeError` a storage's `JSON.stringify` throws for a `bigint`
 * in the session (a Python int read through an aiohttp-session format, or
 * one the app set), bare or wrapped in a store's `SessionStoreError` (the
 * store never failed), into a `SessionUnsupportedError` that names where it
 * is and what to do. Searched only after a save failed, so saves pay nothing.
 * `undefined` when the error has another cause.
 */
export function bigintRefusal(
  error: unknown,
  state: SessionState,
  storage: string,
): SessionUnsupportedError | undefined {
  // Stores report what failed inside their call as a SessionStoreError, with the cause.
  const cause = error instanceof SessionStoreError ? error.cause : error;
  if (!(cause instanceof TypeError)) return undefined;
  for (const [what, values] of [
    ['Session data', state.data],
    ['A flash message', state.flash],
  ] as const) {
    const path = values === undefined ? undefined : bigintPath(values, [], new Set());
    if (path === undefined) continue;
    return new SessionUnsupportedError(
      `${what} at "${pathText(path)}" is a bigint, which ${printable(storage)} cannot store: its records ` +
        'are JSON, and JSON has no bigint. Store it as a string (String(value)) or, if it is below 2^53, a ' +
        'number. Only the aiohttp-session formats keep bigints (as Python ints).',
      { cause },
    );
  }
  return undefined;
}

function bigintPath(value: unknown, path: string[], seen: Set<object>): string[] | undefined {
  if (typeof value === 'bigint') return path;
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  const keys = Array.isArray(value) ? value.map((_, i) => `[${i}]`) : Object.keys(value);
  for (const [i, key] of keys.entries()) {
    const item = Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[key];
    const found = bigintPath(item, [...path, key], seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

// Key names only, shortened and printable: never a value.
function pathText(path: readonly string[]): string {
  const shown = path.length > 8 ? [...path.slice(0, 4), '…', ...path.slice(-3)] : path;
  return shown
    .map((key, i) => (key.startsWith('[') || i === 0 ? key : `.${key}`))
    .map((step) => printable(step))
    .join('');
}
