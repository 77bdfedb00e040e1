// A separate process saving into one SQLite session, for the cross-process
// merge test (sqlite-storage.test.ts): argv = file, table, key, prefix, count,
// and the time (Unix ms) to start at, so that the processes' saves overlap.
// Prints "done" once every save reported success.
import Database from 'better-sqlite3';
import { resolveSqlTable } from '../storage/sql/table.ts';
import { sqliteAdapter } from '../storage/sqlite/adapter.ts';

const [file = '', tableName = '', key = '', prefix = '', count = '0', startAt = '0'] = process.argv.slice(2);
// What is tested is that no save is lost, not how long one waits for the lock: on a busy machine a
// process can wait for its turn longer than better-sqlite3's default 5 s busy timeout.
const database = new Database(file, { timeout: 120_000 });
const { table } = resolveSqlTable('worker', { table: tableName });
const { adapter } = sqliteAdapter(database, table, { now: Date.now, createTable: false });
await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(startAt) - Date.now())));
for (let i = 0; i < Number(count); i++) {
  const at = Date.now();
  const saved = await adapter.update(key, {
    replace: false,
    set: { [`${prefix}${i}`]: i },
    unset: [],
    flash: {},
    lastActiveAt: at,
    until: at + 3_600_000,
  });
  if (!saved) throw new Error(`save ${i} found no session`);
}
database.close();
process.stdout.write('done\n');
