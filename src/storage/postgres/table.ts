import { SessionStoreError } from '../../errors.ts';
import { postgresTableSql } from '../sql/ddl.ts';
import { Setup } from '../sql/ensure.ts';
import type { SqlTable } from '../sql/table.ts';
import type { PgRow, PgRun, PgStatement } from './client.ts';

/**
 * Runs a statement on the session table: created before the first one when
 * `createTable` is on, and a missing table reported as the setup mistake it
 * is. Made once, with the adapter.
 *
 * @example
 * ```ts
 * const query = tableQuery(pgRunner(pool)!, table, true);
 * const rows = await query(statements.get, [key, Date.now()]);
 * ```
 */
export function tableQuery(
  run: PgRun,
  table: SqlTable,
  createTable: boolean,
): (st: PgStatement, values: unknown[]) => Promise<readonly PgRow[]> {
  const setup = new Setup(createTable ? () => create(run, table) : undefined);
  return (st, values) =>
    setup
      .before(() => run(st, values))
      .catch((error: unknown) => {
        throw explained(error, table);
      });
}

// Two processes creating the table at once can both pass IF NOT EXISTS and
// one then fails on the catalog's unique index: the table exists, fine.
const ALREADY_THERE = new Set(['23505', '42P07']);

async function create(run: PgRun, table: SqlTable): Promise<void> {
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
