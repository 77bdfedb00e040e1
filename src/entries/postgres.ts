import { SessionConfigError } from '../errors.ts';
import { postgresAdapter } from '../storage/postgres/adapter.ts';
import { type PgQueryable, type PostgresJsSql, pgRunner } from '../storage/postgres/client.ts';
import type { SqlSessionStorage } from '../storage/sql/sql-storage.ts';
import { resolveSqlTable, type SqlTableOptions } from '../storage/sql/table.ts';
import { defineStore } from '../storage/store/define-store.ts';
import { resolveStoreOptions, type StoreOptions } from '../storage/store/store-options.ts';

/**
 * Options of {@link postgresStorage}.
 *
 * @example
 * ```ts
 * const options: PostgresStorageOptions = { client: pool, table: 'app_sessions', maxSessionsPerUser: 5 };
 * ```
 */
export interface PostgresStorageOptions extends StoreOptions, SqlTableOptions {
  /**
   * Your app's own connection: a node-postgres (`pg`) `Pool` (or `Client`),
   * or a postgres.js `sql` instance. You create it, and close it. A `Pool`
   * or postgres.js reconnects by itself after a database restart; a lone
   * `pg.Client` cannot, so use it only where a restart ends the process too.
   */
  client: PgQueryable | PostgresJsSql;
}

/**
 * Sessions in PostgreSQL, through the app's own `pg` pool or postgres.js
 * `sql`. The cookie holds an opaque 256-bit token; the table holds its
 * SHA-256 and the session (data as `jsonb`). One round trip per load and per
 * save; a save merges the keys it changed in one `UPDATE`, so concurrent
 * saves of different keys both survive; expired rows are never read, and
 * swept a few at a time by new sessions' inserts (and by `sweep()`). A
 * database that is down or restarting gives `SessionStoreError` until it
 * answers again. The table is created on first use unless
 * `createTable: false` (then create it from `npx next-session-kit sql postgres`).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createSessionKit } from 'next-session-kit';
 * import { postgresStorage } from 'next-session-kit/postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * pool.on('error', (error) => console.error('postgres pool:', error.message)); // pg requires a listener
 * export const { getSession, newSession, destroySession, listUserSessions, destroyUserSessions } =
 *   createSessionKit({ storage: postgresStorage({ client: pool }) });
 * ```
 */
export function postgresStorage(options: PostgresStorageOptions): SqlSessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      'postgresStorage() needs { client }: a pg Pool or Client, or a postgres.js sql instance.',
    );
  }
  const run = pgRunner(options.client);
  if (run === undefined) {
    throw new SessionConfigError(
      '`client` must be a node-postgres `new pg.Pool(...)` (or `new pg.Client(...)`, connected) ' +
        'or a postgres.js `postgres(url)` instance.',
    );
  }
  const resolved = resolveStoreOptions('postgresStorage', options, ['client', 'table', 'createTable']);
  const { table, createTable } = resolveSqlTable('postgresStorage', options);
  const { adapter, sweep } = postgresAdapter(run, table, { now: Date.now, createTable });
  return { ...defineStore(adapter, resolved), sweep };
}

export type { PgQueryable, PostgresJsSql } from '../storage/postgres/client.ts';
export type { SqlSessionStorage } from '../storage/sql/sql-storage.ts';
export type { SweepOptions } from '../storage/sql/sweep.ts';
export type { SqlTableOptions } from '../storage/sql/table.ts';
export type { StoreOptions } from '../storage/store/store-options.ts';
