import { SWEEP_PER_WRITE } from '../sql/sweep.ts';
import type { SqlTable } from '../sql/table.ts';

/**
 * The SQL of a SQLite session table, with positional parameters. Every read
 * has `expires_at > ?now` in its `WHERE`: an expired row is never returned,
 * swept or not. The row aliases are those of `sessionOfRow()`.
 *
 * @example
 * ```ts
 * const sql = sqliteSql(table);
 * database.prepare(sql.get).get(key, Date.now());
 * ```
 */
export function sqliteSql(table: SqlTable) {
  const t = table.name;
  const session =
    'id AS i, user_id AS u, version AS v, last_active_at AS a, data AS d, flash AS f, meta AS m';
  const expired = (limit: string) =>
    `DELETE FROM ${t} WHERE token_hash IN (SELECT token_hash FROM ${t} WHERE expires_at <= ? ORDER BY expires_at LIMIT ${limit})`;
  return {
    /** key, now. */
    get: `SELECT ${session} FROM ${t} WHERE token_hash = ? AND expires_at > ?`,
    /** key, now: what a save merges into. */
    current: `SELECT data AS d, flash AS f, last_active_at AS a, expires_at AS e FROM ${t} WHERE token_hash = ? AND expires_at > ?`,
    /** key, the session's columns (id, user, version, data, flash, meta: rowValues()), last active, until. */
    insert:
      `INSERT INTO ${t} (token_hash, id, user_id, version, data, flash, meta, last_active_at, expires_at) ` +
      'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO UPDATE SET id = excluded.id, ' +
      'user_id = excluded.user_id, version = excluded.version, last_active_at = excluded.last_active_at, ' +
      'expires_at = excluded.expires_at, data = excluded.data, flash = excluded.flash, meta = excluded.meta',
    /** the session's columns (rowValues()), last active, until, key. */
    write:
      `UPDATE ${t} SET id = ?, user_id = ?, version = ?, data = ?, flash = ?, meta = ?, last_active_at = ?, expires_at = ? ` +
      'WHERE token_hash = ?',
    /**
     * new last active, until, key, the last activity the load read, now: a
     * load's idle refresh, written only if no save or refresh moved the row since.
     */
    touch:
      `UPDATE ${t} SET last_active_at = ?, expires_at = ? ` +
      'WHERE token_hash = ? AND last_active_at = ? AND expires_at > ?',
    /** data, flash, last active, until, key. */
    merge: `UPDATE ${t} SET data = ?, flash = ?, last_active_at = ?, expires_at = ? WHERE token_hash = ?`,
    /** key, now. */
    flash: `SELECT flash AS f FROM ${t} WHERE token_hash = ? AND expires_at > ? AND flash IS NOT NULL`,
    /** key. */
    clearFlash: `UPDATE ${t} SET flash = NULL WHERE token_hash = ?`,
    /** keys (a JSON array). */
    delete: `DELETE FROM ${t} WHERE token_hash IN (SELECT value FROM json_each(?))`,
    /** user, now. Through the `user_id` index. */
    list: `SELECT token_hash AS k, ${session} FROM ${t} WHERE user_id = ? AND expires_at > ?`,
    /** expired before. A new session's bounded sweep. */
    sweepFew: expired(String(SWEEP_PER_WRITE)),
    /** expired before, at most this many. */
    sweep: expired('?'),
  };
}

/**
 * The SQL of {@link sqliteSql}, by name.
 *
 * @example
 * ```ts
 * const name: keyof SqliteSql = 'get';
 * ```
 */
export type SqliteSql = ReturnType<typeof sqliteSql>;
