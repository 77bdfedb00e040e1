import type { SessionStorage } from '../types.ts';
import type { SweepOptions } from './sweep.ts';

/**
 * A storage of sessions in a SQL table, with `sweep()` for those who would
 * rather delete expired rows from a scheduled job as well.
 *
 * @example
 * ```ts
 * const storage: SqlSessionStorage = postgresStorage({ client: pool });
 * const deleted = await storage.sweep(); // e.g. nightly, from a cron route
 * ```
 */
export interface SqlSessionStorage extends SessionStorage {
  /**
   * Deletes every row that expired over a minute ago, 1000 per statement,
   * and resolves to how many it deleted. Optional: saves of new sessions
   * already sweep a few expired rows each, and reads never return one.
   */
  sweep(options?: SweepOptions): Promise<number>;
}
