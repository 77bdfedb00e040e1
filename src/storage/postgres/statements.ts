import { SWEEP_PER_WRITE } from '../sql/sweep.ts';
import type { SqlTable } from '../sql/table.ts';
import { type PgStatement, statement } from './client.ts';

const SEXTETS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const SESSION =
  'id AS i, user_id AS u, version AS v, last_active_at AS a, data::text AS d, flash::text AS f, meta AS m';

// The new `expires_at` follows `last_active_at`: a save or refresh that is
// not the newest leaves the newer one's in place.
const times = (activity: string, until: string) =>
  `expires_at = CASE WHEN last_active_at <= ${activity} THEN ${until} ELSE expires_at END, ` +
  `last_active_at = greatest(last_active_at, ${activity})`;

const expired = (t: string, before: string, limit: string) =>
  `SELECT token_hash FROM ${t} WHERE expires_at <= ${before} ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;

const keys = (json: string) => `ARRAY(SELECT jsonb_array_elements_text(${json}::text::jsonb))`;

// The session's absolute end, as the kit computes it (IdleTouch.untilFor):
// its creation time, read from the id's first 7 base64url characters (42
// bits of ms), plus its own maxAge (`l` in `meta`) or the kit's ($7). The
// regex reads only what encodeMeta() writes, never fails on anything else,
// and finds no `l` inside a string (where every quote is escaped).
const CREATED = Array.from(
  { length: 7 },
  (_, i) => `((strpos('${SEXTETS}', substr(id, ${i + 1}, 1)) - 1)::int8 << ${6 * (6 - i)})`,
).join(' + ');
const OWN_MAX_AGE = `substring(meta from '[{,]"l":"j\\{[^}]*\\\\"maxAge\\\\":([0-9]{1,9})[,}]')::int8`;
const UNTIL = `least($6::int8, ${CREATED} + coalesce(${OWN_MAX_AGE} * 1000, $7::int8))`;

/**
 * The statements of a PostgreSQL session table. Every one is a single
 * statement (one round trip), every read has `expires_at > $now` in its
 * `WHERE` (an expired row is never returned, swept or not), and every
 * parameter is cast from `text` or a number, so node-postgres and postgres.js
 * send the same thing. Arrays travel as JSON text.
 *
 * @example
 * ```ts
 * const statements = postgresStatements(table);
 * await run(statements.get, [key, Date.now()]);
 * ```
 */
export function postgresStatements(table: SqlTable) {
  const t = table.name;
  return { ...reads(t), ...saves(t), ...removals(t) };
}

// Loads: a session by its key (with the idle refresh it is due), a user's.
function reads(t: string) {
  return {
    /** $1 key, $2 now. */
    get: statement('get', `SELECT ${SESSION} FROM ${t} WHERE token_hash = $1 AND expires_at > $2::int8`),

    /**
     * $1 key, $2 now, $3 new last activity, $4 due by, $5 alive since, $6
     * idle until, $7 the kit's maxAge (ms): a load with the idle refresh it
     * is due (`IdleTouch`), in one statement. The `UPDATE` writes only
     * a row that is live, due, not idle past `aliveSince`, with a valid id and
     * a new expiry after `$3`; it returns the row as written, and the plain
     * `SELECT` the row as it is when nothing was due (no write then).
     */
    getTouch: statement(
      'get_touch',
      `WITH touched AS (UPDATE ${t} SET last_active_at = $3::int8, expires_at = ${UNTIL} ` +
        `WHERE token_hash = $1 AND expires_at > $2::int8 AND last_active_at <= $4::int8 ` +
        `AND last_active_at >= $5::int8 AND id ~ '^[A-Za-z0-9_-]{12}$' AND ${UNTIL} > $3::int8 ` +
        `RETURNING ${SESSION}) ` +
        `SELECT * FROM touched UNION ALL SELECT ${SESSION} FROM ${t} ` +
        'WHERE token_hash = $1 AND expires_at > $2::int8 AND NOT EXISTS (SELECT FROM touched)',
    ),

    /** $1 user, $2 now. Through the `user_id` index. */
    list: statement(
      'list',
      `SELECT token_hash AS k, ${SESSION} FROM ${t} WHERE user_id = $1 AND expires_at > $2::int8`,
    ),
  };
}

// Saves: a new session, changes merged in, a session rewritten whole.
function saves(t: string) {
  return {
    /**
     * $1 key, $2-$7 the session's columns (id, user, version, data, flash,
     * meta: rowValues()), $8 last active, $9 until, $10 sweep rows expired
     * before this, $11 keys replaced (JSON).
     * The insert, the deletion of the sessions it replaces and a bounded
     * sweep, in one statement.
     */
    create: statement(
      'create',
      `WITH swept AS (DELETE FROM ${t} WHERE token_hash = ANY(ARRAY(${expired(t, '$10::int8', String(SWEEP_PER_WRITE))}))), ` +
        `replaced AS (DELETE FROM ${t} WHERE token_hash = ANY(${keys('$11')})) ` +
        `INSERT INTO ${t} (token_hash, id, user_id, version, data, flash, meta, last_active_at, expires_at) ` +
        'VALUES ($1::text, $2::text, $3::text, $4::int4, $5::text::jsonb, $6::text::jsonb, $7::text, $8::int8, $9::int8) ' +
        'ON CONFLICT (token_hash) DO UPDATE SET id = excluded.id, user_id = excluded.user_id, ' +
        'version = excluded.version, last_active_at = excluded.last_active_at, ' +
        'expires_at = excluded.expires_at, data = excluded.data, flash = excluded.flash, meta = excluded.meta',
    ),

    /**
     * $1 key, $2 now, $3 data keys deleted (JSON, or null: data untouched),
     * $4 data keys set (JSON object), $5 flash added (JSON object, or null),
     * $6 last active, $7 until. A merge onto the row as it is when the
     * update takes its lock (a concurrent save's keys survive), or, with
     * nulls, an idle refresh.
     */
    merge: statement(
      'merge',
      `UPDATE ${t} SET ` +
        `data = CASE WHEN $3::text IS NULL THEN data ELSE (data - ${keys('$3')}) || $4::text::jsonb END, ` +
        "flash = CASE WHEN $5::text IS NULL THEN flash ELSE coalesce(flash, '{}'::jsonb) || $5::text::jsonb END, " +
        `${times('$6::int8', '$7::int8')} ` +
        'WHERE token_hash = $1 AND expires_at > $2::int8 RETURNING 1 AS ok',
    ),

    /** $1 key, $2 now, $3-$8 the session's columns (rowValues()), $9 last active, $10 until. */
    replace: statement(
      'replace',
      `UPDATE ${t} SET id = $3::text, user_id = $4::text, version = $5::int4, data = $6::text::jsonb, ` +
        `flash = $7::text::jsonb, meta = $8::text, ${times('$9::int8', '$10::int8')} ` +
        'WHERE token_hash = $1 AND expires_at > $2::int8 RETURNING 1 AS ok',
    ),
  };
}

// What goes: flash messages once read, ended sessions, expired rows.
function removals(t: string) {
  return {
    /**
     * $1 key, $2 now. Row-locked (`FOR UPDATE`), so of requests racing for
     * the messages exactly one gets them.
     */
    takeFlash: statement(
      'flash',
      `UPDATE ${t} AS s SET flash = NULL FROM (SELECT token_hash, flash FROM ${t} ` +
        'WHERE token_hash = $1 AND expires_at > $2::int8 AND flash IS NOT NULL FOR UPDATE) AS taken ' +
        'WHERE s.token_hash = taken.token_hash RETURNING taken.flash::text AS f',
    ),

    /** $1 keys (JSON). */
    delete: statement('delete', `DELETE FROM ${t} WHERE token_hash = ANY(${keys('$1')})`),

    /** $1 delete rows expired before this, $2 at most this many. */
    sweep: statement(
      'sweep',
      `WITH gone AS (DELETE FROM ${t} WHERE token_hash = ANY(ARRAY(${expired(t, '$1::int8', '$2::int4')})) RETURNING 1) ` +
        'SELECT count(*)::int AS n FROM gone',
    ),
  };
}

/**
 * The statements of {@link postgresStatements}, by name.
 *
 * @example
 * ```ts
 * const statements: PostgresStatements = postgresStatements(table);
 * ```
 */
export type PostgresStatements = ReturnType<typeof postgresStatements>;

/** Every statement, for tests that explain them. */
export type { PgStatement };
