import { SessionStoreError } from '../../errors.ts';
import { sqliteTableSql } from '../sql/ddl.ts';
import type { SqlTable } from '../sql/table.ts';
import type { SqliteDatabase, SqliteStatement } from './database.ts';
import { type SqliteSql, sqliteSql } from './statements.ts';

/**
 * The session table of one SQLite database, as the adapter uses it: made
 * once, with the adapter.
 *
 * @internal
 */
export interface SqliteTable {
  readonly now: () => number;
  /** The statement `name`, prepared once, after the table is created (when the kit creates it). */
  readonly statement: (name: keyof SqliteSql) => SqliteStatement;
  /** `fn` in one `BEGIN IMMEDIATE` transaction. */
  readonly transaction: <T>(fn: () => T) => T;
  /** `fn`'s result, or its error (a missing table explained) as a rejection. */
  readonly guarded: <T>(fn: () => T) => Promise<T>;
}

/**
 * The {@link SqliteTable} of `database`.
 *
 * @example
 * ```ts
 * const db = sqliteTable(database, table, { now: Date.now, createTable: true });
 * const row = db.statement('get').get(key, db.now());
 * ```
 *
 * @internal
 */
export function sqliteTable(
  database: SqliteDatabase,
  table: SqlTable,
  options: { now: () => number; createTable: boolean },
): SqliteTable {
  const sql = sqliteSql(table);
  let ready = !options.createTable;
  const prepared = new Map<keyof SqliteSql, SqliteStatement>();

  // The table is created on first use; statements are prepared once, and only
  // once it exists (preparing compiles against the schema).
  const statement = (name: keyof SqliteSql): SqliteStatement => {
    if (!ready) {
      for (const ddl of sqliteTableSql(table)) database.exec(ddl);
      ready = true;
    }
    let found = prepared.get(name);
    if (found === undefined) {
      found = database.prepare(sql[name]);
      prepared.set(name, found);
    }
    return found;
  };
  const guarded = <T>(fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(explained(error, table));
    }
  };
  const transaction = <T>(fn: () => T): T => database.transaction(fn).immediate() as T;
  return { now: options.now, statement, transaction, guarded };
}

// A missing table is a setup mistake, not an outage: say how to fix it.
function explained(error: unknown, table: SqlTable): unknown {
  if (!(error instanceof Error) || !error.message.startsWith('no such table')) return error;
  return new SessionStoreError(
    `The session table "${table.name}" does not exist. Create it with the SQL that ` +
      '`npx next-session-kit sql sqlite` prints, or leave `createTable` on (the default).',
    { cause: error },
  );
}
