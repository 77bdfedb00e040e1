import { decodeMembers, encodeMembers, rowValues, sessionEntries, sessionOfRow } from '../sql/rows.ts';
import { SWEEP_GRACE_MS, type SweepOptions, sweepAll } from '../sql/sweep.ts';
import type { SqlTable } from '../sql/table.ts';
import type { IdleTouch, SessionChange, StoreAdapter } from '../store/adapter.ts';
import type { PgRow, PgRun, PgStatement } from './client.ts';
import { type PostgresStatements, postgresStatements } from './statements.ts';
import { tableQuery } from './table.ts';

const NO_SET = '{}';

type Query = (st: PgStatement, values: unknown[]) => Promise<readonly PgRow[]>;

const firstSession = (rows: readonly PgRow[]) => {
  const row = rows[0];
  return row === undefined ? null : sessionOfRow(row);
};

const ok = (rows: readonly PgRow[]): boolean => rows.length > 0;

/**
 * A store adapter over one PostgreSQL table (see ddl.ts for its layout).
 * Every method is one statement, so one round trip: a load is an index
 * lookup by `token_hash` (with the idle refresh it is due, in the same
 * statement: `touchOnGet`); a save is one `UPDATE … RETURNING` that merges the
 * keys it set and deleted into the `jsonb` column under the row's lock, so
 * concurrent saves of different keys all survive; a new session's `INSERT`
 * deletes the sessions it replaces and up to ten expired rows in the same
 * statement. Expiry is part of every read's `WHERE`, by the clock `now`.
 *
 * @example
 * ```ts
 * const { adapter, sweep } = postgresAdapter(pgRunner(pool)!, table, { now: Date.now, createTable: true });
 * ```
 */
export function postgresAdapter(
  run: PgRun,
  table: SqlTable,
  options: { now: () => number; createTable: boolean },
): { adapter: StoreAdapter; sweep: (options?: SweepOptions) => Promise<number> } {
  const { now } = options;
  const s = postgresStatements(table);
  const query = tableQuery(run, table, options.createTable);

  const adapter: StoreAdapter = {
    name: 'postgres',
    capabilities: { atomic: true, touchOnGet: true },

    // With a touch: one statement that reads and, when due, slides the idle
    // expiry (statements.ts, getTouch); without, a plain indexed read.
    get: (key, touch) =>
      (touch === undefined
        ? query(s.get, [key, now()])
        : query(s.getTouch, touchValues(key, now(), touch))
      ).then(firstSession),

    async create(key, session, write) {
      await query(s.create, [
        key,
        ...rowValues(session),
        session.lastActiveAt,
        write.until,
        now() - SWEEP_GRACE_MS,
        JSON.stringify(write.replaces),
      ]);
      // No `userSessions`: a count in this statement would not see a
      // concurrent login's uncommitted row, so the kit lists after it instead.
    },

    update: (key, change) => updateRow(query, s, key, change, now()),

    async delete(keys) {
      if (keys.length === 0) return;
      await query(s.delete, [JSON.stringify(keys)]);
    },

    takeFlash: (key) =>
      query(s.takeFlash, [key, now()]).then((rows) => {
        const row = rows[0];
        return row === undefined ? {} : (decodeMembers(row.f) ?? {});
      }),

    listByUser: async (userId) => sessionEntries(await query(s.list, [userId, now()])),
  };

  const sweep = (sweepOptions?: SweepOptions): Promise<number> =>
    sweepAll(
      (limit) => query(s.sweep, [now() - SWEEP_GRACE_MS, limit]).then((rows) => Number(rows[0]?.n ?? 0)),
      sweepOptions,
    );
  return { adapter, sweep };
}

// getTouch's parameters ($1 key, $2 now, $3-$7 the touch).
function touchValues(key: string, now: number, touch: IdleTouch): unknown[] {
  return [
    key,
    now,
    touch.lastActiveAt,
    Math.floor(touch.dueBy),
    Math.ceil(touch.aliveSince),
    Math.floor(touch.idleUntil),
    Math.floor(touch.maxAge),
  ];
}

// A save: the whole session rewritten (a regenerated session), or its
// changes merged into the row under its lock.
function updateRow(
  query: Query,
  s: PostgresStatements,
  key: string,
  change: SessionChange,
  now: number,
): Promise<boolean> {
  const { session } = change;
  if (change.replace && session !== undefined) {
    return query(s.replace, [key, now, ...rowValues(session), change.lastActiveAt, change.until]).then(ok);
  }
  const changesData = change.unset.length > 0 || Object.keys(change.set).length > 0;
  const flash = Object.keys(change.flash).length > 0 ? encodeMembers(change.flash) : null;
  return query(s.merge, [
    key,
    now,
    changesData ? JSON.stringify(change.unset) : null,
    changesData ? encodeMembers(change.set) : NO_SET,
    flash,
    change.lastActiveAt,
    change.until,
  ]).then(ok);
}
