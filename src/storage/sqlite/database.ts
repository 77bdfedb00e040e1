/**
 * What the kit uses of a better-sqlite3 statement. Declared here rather than
 * imported, so the types of `next-session-kit/sqlite` need neither
 * `better-sqlite3` nor `@types/better-sqlite3`.
 *
 * @example
 * ```ts
 * const row = database.prepare('SELECT 1 AS one').get() as { one: number };
 * ```
 */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

/**
 * What the kit uses of a better-sqlite3 `Database`: `prepare()`, `exec()`
 * and `transaction()`.
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * const database: SqliteDatabase = new Database('.data/sessions.db');
 * ```
 */
export interface SqliteDatabase {
  prepare(source: string): SqliteStatement;
  exec(source: string): unknown;
  /** `immediate()` runs `fn` in `BEGIN IMMEDIATE … COMMIT` (rolled back if it throws). */
  transaction(fn: () => unknown): { immediate(): unknown };
}

/**
 * Whether `database` looks like a better-sqlite3 `Database` (open or not).
 *
 * @example
 * ```ts
 * if (!isSqliteDatabase(options.database)) throw new SessionConfigError('…');
 * ```
 */
export function isSqliteDatabase(database: unknown): database is SqliteDatabase {
  if (typeof database !== 'object' || database === null) return false;
  const d = database as Partial<Record<'prepare' | 'exec' | 'transaction', unknown>>;
  return (
    typeof d.prepare === 'function' && typeof d.exec === 'function' && typeof d.transaction === 'function'
  );
}
