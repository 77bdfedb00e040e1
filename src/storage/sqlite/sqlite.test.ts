// sqliteStorage's adapter through the public conformance suite, exactly as a
// user runs it for their own store: better-sqlite3, in memory and in a file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll } from 'vitest';
import { describeStoreAdapter } from '../../entries/testing/vitest.ts';
import { resolveSqlTable } from '../sql/table.ts';
import type { StoreAdapter } from '../store/adapter.ts';
import { sqliteAdapter } from './adapter.ts';

const dir = mkdtempSync(join(tmpdir(), 'nsk-sqlite-'));
const memory = new Database(':memory:');
const file = new Database(join(dir, 'sessions.db'));
file.pragma('journal_mode = WAL');
afterAll(() => {
  memory.close();
  file.close();
  rmSync(dir, { recursive: true, force: true });
});

let tables = 0;
const owners = new WeakMap<StoreAdapter, { database: Database.Database; table: string }>();

for (const [name, database, large] of [
  ['sqlite (memory)', memory, { keys: 10_000, sessions: 10_000 }],
  ['sqlite (file, WAL)', file, { keys: 1000, sessions: 1000 }],
] as const) {
  describeStoreAdapter(
    name,
    ({ now }) => {
      tables++;
      const { table } = resolveSqlTable('test', { table: `conf_${tables}` });
      const { adapter } = sqliteAdapter(database, table, { now, createTable: true });
      owners.set(adapter, { database, table: table.name });
      return adapter;
    },
    {
      large,
      corrupt: async (adapter, key) => {
        const owner = owners.get(adapter);
        owner?.database.prepare(`UPDATE ${owner.table} SET data = '"garbage"' WHERE token_hash = ?`).run(key);
      },
    },
  );
}
