import {
  decodeMembers,
  encodeMembers,
  mergeMembers,
  rowValues,
  sessionEntries,
  sessionOfRow,
} from '../sql/rows.ts';
import { SWEEP_GRACE_MS, type SweepOptions, sweepAll } from '../sql/sweep.ts';
import type { SqlTable } from '../sql/table.ts';
import type { IdleTouch, SessionChange, StoreAdapter, StoredSession } from '../store/adapter.ts';
import type { SqliteDatabase } from './database.ts';
import { type SqliteTable, sqliteTable } from './table.ts';

type Row = Readonly<Record<string, unknown>>;

/**
 * A store adapter over one SQLite table (same layout as on PostgreSQL, see
 * ddl.ts), through better-sqlite3. Calls are synchronous, so within one
 * process nothing interleaves; a save or a flash taken is one
 * `BEGIN IMMEDIATE` transaction (read the row, write it back merged), which
 * also keeps other processes on the same file from slipping in between.
 * Expiry is part of every read's `WHERE`, by the clock `now`; a new
 * session's transaction deletes the sessions it replaces and up to ten
 * expired rows.
 *
 * @example
 * ```ts
 * const { adapter, sweep } = sqliteAdapter(database, table, { now: Date.now, createTable: true });
 * ```
 */
export function sqliteAdapter(
  database: SqliteDatabase,
  table: SqlTable,
  options: { now: () => number; createTable: boolean },
): { adapter: StoreAdapter; sweep: (options?: SweepOptions) => Promise<number> } {
  const db = sqliteTable(database, table, options);
  const { now, statement, transaction, guarded } = db;

  const adapter: StoreAdapter = {
    name: 'sqlite',
    capabilities: { atomic: true, touchOnGet: true },

    get: (key, touch) => guarded(() => readSession(db, key, touch)),

    create: (key, session, write) =>
      guarded(() => {
        const sweepFew = statement('sweepFew');
        const remove = statement('delete');
        const insert = statement('insert');
        transaction(() => {
          sweepFew.run(now() - SWEEP_GRACE_MS);
          if (write.replaces.length > 0) remove.run(JSON.stringify(write.replaces));
          insert.run(key, ...rowValues(session), session.lastActiveAt, write.until);
        });
      }),

    update: (key, change) => guarded(() => updateRow(db, key, change)),

    delete: (keys) =>
      guarded(() => {
        if (keys.length > 0) statement('delete').run(JSON.stringify(keys));
      }),

    takeFlash: (key) =>
      guarded(() => {
        const read = statement('flash');
        const clear = statement('clearFlash');
        return transaction(() => {
          const row = read.get(key, now()) as Row | undefined;
          if (row === undefined) return {};
          clear.run(key);
          return decodeMembers(row.f) ?? {};
        });
      }),

    listByUser: (userId) => guarded(() => sessionEntries(statement('list').all(userId, now()) as Row[])),
  };

  const sweep = (sweepOptions?: SweepOptions): Promise<number> =>
    sweepAll(
      (limit) => guarded(() => statement('sweep').run(now() - SWEEP_GRACE_MS, limit).changes),
      sweepOptions,
    );
  return { adapter, sweep };
}

// A due idle refresh follows the read at once, in the same synchronous
// call, as a compare-and-set on the last activity it read: nothing in
// this process runs in between, and another process's save or refresh
// since makes it a no-op (that write moved the expiry already).
function readSession(
  db: SqliteTable,
  key: string,
  touch: IdleTouch | undefined,
): StoredSession | null | undefined {
  const row = db.statement('get').get(key, db.now()) as Row | undefined;
  if (row === undefined) return null;
  const session = sessionOfRow(row);
  if (session === undefined || touch === undefined) return session;
  const { lastActiveAt } = session;
  if (!(lastActiveAt <= touch.dueBy && lastActiveAt >= touch.aliveSince)) return session;
  const until = touch.untilFor(session);
  if (!(until > touch.lastActiveAt)) return session;
  const { changes } = db.statement('touch').run(touch.lastActiveAt, until, key, row.a, db.now());
  if (changes > 0) session.lastActiveAt = touch.lastActiveAt;
  return session;
}

// Read the row, write it back merged (or whole, for a regenerated session).
function updateRow(db: SqliteTable, key: string, change: SessionChange): boolean {
  const current = db.statement('current');
  const write = db.statement('write');
  const merge = db.statement('merge');
  return db.transaction(() => {
    const row = current.get(key, db.now()) as Row | undefined;
    if (row === undefined) return false;
    // The newest activity decides `expires_at`: an older save leaves a newer one's.
    const held = Number(row.a);
    const lastActiveAt = Math.max(held, change.lastActiveAt);
    const until = held <= change.lastActiveAt ? change.until : Number(row.e);
    const { session } = change;
    if (change.replace && session !== undefined) {
      write.run(...rowValues(session), lastActiveAt, until, key);
      return true;
    }
    const changesData = change.unset.length > 0 || Object.keys(change.set).length > 0;
    const data = changesData ? mergeMembers(row.d, change.unset, encodeMembers(change.set)) : row.d;
    const addsFlash = Object.keys(change.flash).length > 0;
    const flash = addsFlash ? mergeMembers(row.f ?? '{}', [], encodeMembers(change.flash)) : row.f;
    // A row that is not the kit's (corrupt) is left alone: it loads as an invalid session.
    if (data === undefined || flash === undefined) return false;
    merge.run(data, flash ?? null, lastActiveAt, until, key);
    return true;
  });
}
