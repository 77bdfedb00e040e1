import { SessionConfigError } from '../../errors.ts';

/**
 * Expired rows a new session's insert deletes on its way (in the same
 * statement or transaction): every row was once such an insert, so expired
 * rows cannot pile up while sessions are created, and no request ever pays
 * for more than this many.
 *
 * @example
 * ```ts
 * `... ORDER BY expires_at LIMIT ${SWEEP_PER_WRITE}`;
 * ```
 */
export const SWEEP_PER_WRITE = 10;

/**
 * How long past its `expires_at` a row waits before it is swept (ms). Reads
 * already ignore it; the wait only keeps the sweep of one server from racing
 * a server whose clock is behind (the kit tolerates 60 s of skew).
 *
 * @example
 * ```ts
 * const before = now() - SWEEP_GRACE_MS;
 * ```
 */
export const SWEEP_GRACE_MS = 60_000;

/** Rows one statement of `sweep()` deletes. */
const SWEEP_BATCH = 1000;

/**
 * Options of a SQL storage's `sweep()`.
 *
 * @example
 * ```ts
 * await storage.sweep({ max: 100_000 });
 * ```
 */
export interface SweepOptions {
  /** Stop after deleting about this many rows (whole batches of 1000). Default: every expired row. */
  max?: number;
}

/**
 * Deletes expired rows, batch after batch (each its own statement, so no
 * lock is held for long), until a batch comes back short or `max` is reached.
 * Resolves to the number of rows deleted.
 *
 * @example
 * ```ts
 * const deleted = await sweepAll((limit) => deleteExpired(limit), options);
 * ```
 */
export async function sweepAll(
  deleteBatch: (limit: number) => Promise<number>,
  options: SweepOptions = {},
): Promise<number> {
  const { max = Number.POSITIVE_INFINITY } = options;
  if (max !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(max) || max < 1)) {
    throw new SessionConfigError('sweep(): `max` must be a whole number of rows, 1 or more.');
  }
  let deleted = 0;
  while (deleted < max) {
    const limit = Math.min(SWEEP_BATCH, max - deleted);
    const n = await deleteBatch(limit);
    deleted += n;
    if (n < limit) break;
  }
  return deleted;
}
