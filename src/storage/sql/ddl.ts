import { indexNames, type SqlTable } from './table.ts';

/**
 * The statements that create a PostgreSQL session table and its indexes,
 * each idempotent (`IF NOT EXISTS`). `npx next-session-kit sql postgres`
 * prints these very statements (bin/sql.mjs loads this module, as built).
 *
 * - `token_hash`: base64url(SHA-256(cookie token)), never the token; `"C"`
 *   collation, since it is compared byte for byte anyway.
 * - `id`, `user_id`, `version`: the session's public id, bound user and data version.
 * - `last_active_at`, `expires_at`: Unix ms; a row past `expires_at` is never
 *   read, and swept (the `expires_at` index keeps both cheap).
 * - `meta`: what a sign-in recorded (its time, device, own lifetime), JSON
 *   written once with the session; `NULL` when there is none.
 * - `data`, `flash`: `jsonb` objects, one member per key, each value the
 *   kit's encoding of a JSON value (a string: `j` + its JSON), so any value
 *   survives `jsonb` (which refuses `\u0000`) and a save merges keys in SQL.
 *
 * @example
 * ```ts
 * for (const statement of postgresTableSql(table)) await pool.query(statement);
 * ```
 */
export function postgresTableSql(table: SqlTable): string[] {
  const { user, expiry } = indexNames(table);
  return [
    `CREATE TABLE IF NOT EXISTS ${table.name} (
  token_hash text COLLATE "C" PRIMARY KEY,
  id text NOT NULL,
  user_id text,
  version integer,
  last_active_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  data jsonb NOT NULL,
  flash jsonb,
  meta text
)`,
    `CREATE INDEX IF NOT EXISTS ${user} ON ${table.name} (user_id) WHERE user_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${expiry} ON ${table.name} (expires_at)`,
  ];
}

/**
 * The statements that create a SQLite session table and its indexes (same
 * columns as on PostgreSQL; `data` and `flash` are JSON text).
 *
 * @example
 * ```ts
 * for (const statement of sqliteTableSql(table)) database.exec(statement);
 * ```
 */
export function sqliteTableSql(table: SqlTable): string[] {
  const { user, expiry } = indexNames(table);
  // SQLite puts the schema on the index name, and the table stays unqualified.
  const index = (name: string) => (table.schema === undefined ? name : `${table.schema}.${name}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${table.name} (
  token_hash TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  user_id TEXT,
  version INTEGER,
  last_active_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  flash TEXT,
  meta TEXT
)`,
    `CREATE INDEX IF NOT EXISTS ${index(user)} ON ${table.local} (user_id) WHERE user_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${index(expiry)} ON ${table.local} (expires_at)`,
  ];
}
