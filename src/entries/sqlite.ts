import { SessionConfigError } from '../errors.ts';
import type { SqlSessionStorage } from '../storage/sql/sql-storage.ts';
import { resolveSqlTable, type SqlTableOptions } from '../storage/sql/table.ts';
import { sqliteAdapter } from '../storage/sqlite/adapter.ts';
import { isSqliteDatabase, type SqliteDatabase } from '../storage/sqlite/database.ts';
import { defineStore } from '../storage/store/define-store.ts';
import { resolveStoreOptions, type StoreOptions } from '../storage/store/store-options.ts';

/**
 * Options of {@link sqliteStorage}.
 *
 * @example
 * ```ts
 * const options: SqliteStorageOptions = { database, table: 'app_sessions', maxSessionsPerUser: 5 };
 * ```
 */
export interface SqliteStorageOptions extends StoreOptions, SqlTableOptions {
  /**
   * Your app's better-sqlite3 `Database` (version 12). You open it, and
   * close it; WAL mode (`database.pragma('journal_mode = WAL')`) lets
   * readers in other processes work while a save writes.
   */
  database: SqliteDatabase;
}

/**
 * Sessions in a SQLite table, through the app's better-sqlite3 `Database`:
 * no server to run. The cookie holds an opaque 256-bit token; the table
 * holds its SHA-256 and the session (data as JSON text). A save is one
 * transaction that merges the keys it changed into the row as it is, so
 * concurrent saves of different keys both survive, also from several
 * processes on one file. Expired rows are never read, and swept a few at a
 * time by new sessions' inserts (and by `sweep()`). The table is created on
 * first use unless `createTable: false` (then create it from
 * `npx next-session-kit sql sqlite`).
 *
 * @example
 * ```ts
 * import Database from 'better-sqlite3';
 * import { createSessionKit } from 'next-session-kit';
 * import { sqliteStorage } from 'next-session-kit/sqlite';
 *
 * const database = new Database('.data/sessions.db');
 * database.pragma('journal_mode = WAL');
 * export const { getSession, newSession, destroySession, listUserSessions, destroyUserSessions } =
 *   createSessionKit({ storage: sqliteStorage({ database }) });
 * ```
 */
export function sqliteStorage(options: SqliteStorageOptions): SqlSessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      'sqliteStorage() needs { database }: a better-sqlite3 `new Database(file)`.',
    );
  }
  if (!isSqliteDatabase(options.database)) {
    throw new SessionConfigError(
      '`database` must be a better-sqlite3 `new Database(file)` (version 12): it has prepare(), exec() and transaction().',
    );
  }
  const resolved = resolveStoreOptions('sqliteStorage', options, ['database', 'table', 'createTable']);
  const { table, createTable } = resolveSqlTable('sqliteStorage', options);
  const { adapter, sweep } = sqliteAdapter(options.database, table, { now: Date.now, createTable });
  return { ...defineStore(adapter, resolved), sweep };
}

export type { SqlSessionStorage } from '../storage/sql/sql-storage.ts';
export type { SweepOptions } from '../storage/sql/sweep.ts';
export type { SqlTableOptions } from '../storage/sql/table.ts';
export type { SqliteDatabase, SqliteStatement } from '../storage/sqlite/database.ts';
export type { StoreOptions } from '../storage/store/store-options.ts';
