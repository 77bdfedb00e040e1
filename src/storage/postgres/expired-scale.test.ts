// Issue 15: "1M expired rows must not slow a load". Proved by counting, not
// timing: a load (get, and get with its idle refresh) reads the same few
// buffers from a table holding 1,000,000 expired rows as from one holding
// none, and a login's piggyback sweep deletes at most SWEEP_PER_WRITE rows
// through the expires_at index, its buffers bounded too. The real
// PostgreSQL of the global setup; the table is the storage's own DDL.
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueTable } from '../../../test/servers/isolation.ts';
import { postgresStorage } from '../../entries/postgres.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { postgresClients } from '../../test-utils/sql-clients.ts';
import { SWEEP_GRACE_MS, SWEEP_PER_WRITE } from '../sql/sweep.ts';
import { resolveSqlTable } from '../sql/table.ts';
import { sha256Base64url } from '../store/token.ts';
import { postgresStatements } from './statements.ts';

type Data = Record<string, number | string>;

const EXPIRED = 1_000_000;

const { pool, connected } = postgresClients();
beforeAll(() => connected);

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

// Every node's shared blocks, summed: node counts include their children's,
// so the sum over-counts, which only makes the bound below stricter.
function blocks(node: PlanNode): number {
  const own = (node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0);
  return own + (node.Plans ?? []).reduce((sum, child) => sum + blocks(child), 0);
}

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

// Runs `text` under EXPLAIN ANALYZE in a transaction that is rolled back,
// so a statement that writes (the refresh, the sweep) leaves the table as it was.
async function analyze(text: string, values: unknown[]): Promise<PlanNode> {
  const conn: pg.PoolClient = await pool.connect();
  try {
    await conn.query('BEGIN');
    const { rows } = await conn.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${text}`,
      values,
    );
    const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
    if (plan === undefined) throw new Error('no plan');
    return plan;
  } finally {
    await conn.query('ROLLBACK');
    conn.release();
  }
}

// A table made by the storage, holding one live session (signed in as 'ada').
async function tableWithOneSession() {
  const table = uniqueTable('expired');
  const storage = postgresStorage({ client: pool, table });
  const h = new Harness<Data>({ storage }, new Clock(Date.now()));
  const browser = new TestBrowser();
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession('ada');
    s.set('n', 1);
    await s.save();
  });
  const key = await sha256Base64url(browser.cookies.get('session') ?? '');
  return { table, h, browser, key, statements: postgresStatements(resolveSqlTable('test', { table }).table) };
}

// What a load, a due refresh and a login's sweep cost on this table.
async function costs(t: Awaited<ReturnType<typeof tableWithOneSession>>) {
  await pool.query(`ANALYZE ${t.table}`);
  const now = Date.now();
  const get = await analyze(t.statements.get.text, [t.key, now]);
  // Due (last active before $4), alive since 0, idle until an hour on: the refresh writes.
  const touch = await analyze(t.statements.getTouch.text, [
    t.key,
    now,
    now,
    now,
    0,
    now + 3_600_000,
    86_400_000,
  ]);
  const create = await analyze(t.statements.create.text, [
    'new-key',
    'AAAAAAAAAAAA',
    null,
    null,
    '{}',
    null,
    null,
    now,
    now + 3_600_000,
    now - SWEEP_GRACE_MS,
    '[]',
  ]);
  return { get, touch, create };
}

describe(`postgresStorage with ${EXPIRED.toLocaleString('en')} expired rows`, () => {
  it('a load reads as few buffers as on a table with none; a login sweeps at most its bound, by index', async () => {
    const empty = await tableWithOneSession();
    const full = await tableWithOneSession();
    // Rows as the storage writes them: a base64url SHA-256 key (43 characters,
    // random order in the primary key), a 12-character id, jsonb data, and an
    // expires_at past the sweep's grace, each its own.
    const expiredBefore = Date.now() - 2 * SWEEP_GRACE_MS;
    await pool.query(
      `INSERT INTO ${full.table} (token_hash, id, user_id, version, last_active_at, expires_at, data, flash, meta)
       SELECT translate(rtrim(encode(sha256(convert_to('expired' || g, 'UTF8')), 'base64'), '='), '+/', '-_'),
              'AAAAAAAAAAAA', CASE WHEN g % 2 = 0 THEN 'u' || (g % 50000) END, NULL,
              $1::int8 - 3600000 - g, $1::int8 - g, '{"n":"j1"}'::jsonb, NULL, NULL
       FROM generate_series(1, ${EXPIRED}) AS g`,
      [expiredBefore],
    );
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${full.table} WHERE expires_at <= $1`,
      [expiredBefore],
    );
    expect(rows[0]?.n).toBe(EXPIRED);

    const small = await costs(empty);
    const large = await costs(full);
    // The table and its indexes fill thousands of pages: a scan would read them.
    const size = await pool.query<{ pages: number }>(
      `SELECT (pg_total_relation_size($1) / current_setting('block_size')::int)::int AS pages`,
      [full.table],
    );
    const pages = size.rows[0]?.pages ?? 0;
    expect(pages).toBeGreaterThan(20_000);
    // Bounds per statement: a B-tree of 1M keys is two levels deeper than one
    // of a single key, so a few blocks more per index descent (the refresh
    // writes a new entry in each of the three indexes), never more per row.
    for (const [name, key, most, more] of [
      ['get', 'get', 12, 6],
      ['get with its refresh', 'touch', 80, 40],
    ] as const) {
      const [a, b] = [blocks(small[key]), blocks(large[key])];
      const said = `${name}: ${b} blocks with 1M expired rows, ${a} without, of ${pages}`;
      expect(
        nodes(large[key]).map((n) => n['Index Name']),
        `${name}: by primary key`,
      ).toContain(`${full.table}_pkey`);
      expect(
        nodes(large[key]).map((n) => n['Node Type']),
        `${name}: no full scan`,
      ).not.toContain('Seq Scan');
      expect(b, said).toBeLessThanOrEqual(most);
      expect(b - a, said).toBeLessThanOrEqual(more);
    }

    // The login's sweep: through the expires_at index, a bounded number of rows.
    const sweepNodes = nodes(large.create);
    expect(
      sweepNodes.map((n) => n['Index Name']),
      'sweep by expiry',
    ).toContain(`${full.table}_expires_at_idx`);
    expect(
      sweepNodes.map((n) => n['Node Type']),
      'no full scan',
    ).not.toContain('Seq Scan');
    const [a, b] = [blocks(small.create), blocks(large.create)];
    // 10 deleted rows, each on its own heap page at worst, plus three index descents.
    expect(b, `login: ${b} blocks with 1M expired rows, ${a} without`).toBeLessThanOrEqual(200);

    // Through the kit: the live session loads; a login deletes SWEEP_PER_WRITE rows, no more.
    await full.h.request(full.browser, (s) => {
      expect(s.isNew).toBe(false);
      expect(s.get('n')).toBe(1);
    });
    await full.h.request(new TestBrowser(), async (_s, { newSession }) => {
      const s = newSession('grace');
      s.set('n', 2);
      await s.save();
    });
    const after = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${full.table}`);
    expect(after.rows[0]?.n, 'the login swept exactly its bound').toBe(EXPIRED - SWEEP_PER_WRITE + 2);
    await pool.query(`DROP TABLE ${full.table}`);
  }, 240_000);
});
