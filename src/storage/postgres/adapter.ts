import { SessionStoreError } from '../../errors.ts';
import { postgresTableSql } from '../sql/ddl.ts';
import { Setup } from '../sql/ensure.ts';
import { decodeMembers, encodeMembers, rowValues, sessionOfRow } from '../sql/rows.ts';
import { SWEEP_GRACE_MS, type SweepOptions, sweepAll } from '../sql/sweep.ts';
import type { SqlTable } from '../sql/table.ts';
import type { StoreAdapter, StoredSessionEntry } from '../store/adapter.ts';
import type { PgRow, PgRun, PgStatement } from './client.ts';
import { postgresStatements } from './statements.ts';

const NO_SET = '{}';

const firstSession = (rows: readonly PgRow[]) => {
  const row = rows[0];
  return row === undefined ? null : sessionOfRow(row);
};

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
  const setup = new Setup(options.createTable ? () => createTable(run, table) : undefined);
  const query = (st: PgStatement, values: unknown[]): Promise<readonly PgRow[]> =>
    setup
      .before(() => run(st, values))
      .catch((error: unknown) => {
        throw explained(error, table);
      });
  const ok = (rows: readonly PgRow[]): boolean => rows.length > 0;

  const adapter: StoreAdapter = {
    name: 'postgres',
    capabilities: { atomic: true, touchOnGet: true },

    // With a touch: one statement that reads and, when due, slides the idle
    // expiry (statements.ts, getTouch); without, a plain indexed read.
    get: (key, touch) =>
      (touch === undefined
        ? query(s.get, [key, now()])
        : query(s.getTouch, [
            key,
            now(),
            touch.lastActiveAt,
            Math.floor(touch.dueBy),
            Math.ceil(touch.aliveSince),
            Math.floor(touch.idleUntil),
            Math.floor(touch.maxAge),
          ])
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

    update(key, change) {
      const { session } = change;
      if (change.replace && session !== undefined) {
        return query(s.replace, [key, now(), ...rowValues(session), change.lastActiveAt, change.until]).then(
          ok,
        );
      }
      const changesData = change.unset.length > 0 || Object.keys(change.set).length > 0;
      const flash = Object.keys(change.flash).length > 0 ? encodeMembers(change.flash) : null;
      return query(s.merge, [
        key,
        now(),
        changesData ? JSON.stringify(change.unset) : null,
        changesData ? encodeMembers(change.set) : NO_SET,
        flash,
        change.lastActiveAt,
        change.until,
      ]).then(ok);
    },

    async delete(keys) {
      if (keys.length === 0) return;
      await query(s.delete, [JSON.stringify(keys)]);
    },

    takeFlash: (key) =>
      query(s.takeFlash, [key, now()]).then((rows) => {
        const row = rows[0];
        return row === undefined ? {} : (decodeMembers(row.f) ?? {});
      }),

    async listByUser(userId) {
      const rows = await query(s.list, [userId, now()]);
      const found: StoredSessionEntry[] = [];
      for (const row of rows) {
        const session = sessionOfRow(row);
        if (session !== undefined) found.push({ key: row.k as string, session });
      }
      return found;
    },
  };

  const sweep = (sweepOptions?: SweepOptions): Promise<number> =>
    sweepAll(
      (limit) => query(s.sweep, [now() - SWEEP_GRACE_MS, limit]).then((rows) => Number(rows[0]?.n ?? 0)),
      sweepOptions,
    );
  return { adapter, sweep };
}

// Two processes creating the table at once can both pass IF NOT EXISTS and
// one then fails on the catalog's unique index: the table exists, fine.
const ALREADY_THERE = new Set(['23505', '42P07']);

async function createTable(run: PgRun, table: SqlTable): Promise<void> {
  for (const text of postgresTableSql(table)) {
    try {
      await run({ name: '', text }, []);
    } catch (error) {
      if (!ALREADY_THERE.has(codeOf(error))) throw error;
    }
  }
}

const codeOf = (error: unknown): string =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : '';

// A missing table is a setup mistake, not an outage: say how to fix it.
function explained(error: unknown, table: SqlTable): unknown {
  if (codeOf(error) !== '42P01') return error;
  return new SessionStoreError(
    `The session table "${table.name}" does not exist. Create it with the SQL that ` +
      '`npx next-session-kit sql postgres` prints, or leave `createTable` on (the default).',
    { cause: error },
  );
}
