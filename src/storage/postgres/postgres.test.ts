// postgresStorage's adapter through the public conformance suite, exactly as
// a user runs it for their own store: the real PostgreSQL of the global
// setup, through node-postgres (Pool and Client) and postgres.js.
import { beforeAll } from 'vitest';
import { uniqueTable } from '../../../test/servers/isolation.ts';
import { describeStoreAdapter } from '../../entries/testing/vitest.ts';
import { postgresClients } from '../../test-utils/sql-clients.ts';
import { resolveSqlTable } from '../sql/table.ts';
import type { StoreAdapter } from '../store/adapter.ts';
import { postgresAdapter } from './adapter.ts';
import { pgRunner } from './client.ts';

const { pool, client, connected, sql } = postgresClients();
beforeAll(() => connected);

const tables = new WeakMap<StoreAdapter, string>();

for (const [name, target, large] of [
  ['postgres (pg Pool)', pool, { keys: 10_000, sessions: 10_000 }],
  ['postgres (pg Client)', client, { keys: 1000, sessions: 1000 }],
  ['postgres (postgres.js)', sql, { keys: 1000, sessions: 1000 }],
] as const) {
  const run = pgRunner(target);
  if (run === undefined) throw new Error(`${name}: not a client`);
  describeStoreAdapter(
    name,
    ({ now }) => {
      const { table } = resolveSqlTable('test', { table: uniqueTable('conf') });
      const { adapter } = postgresAdapter(run, table, { now, createTable: true });
      tables.set(adapter, table.name);
      return adapter;
    },
    {
      large,
      corrupt: async (adapter, key) => {
        await pool.query(`UPDATE ${tables.get(adapter)} SET data = '"garbage"' WHERE token_hash = $1`, [key]);
      },
    },
  );
}
