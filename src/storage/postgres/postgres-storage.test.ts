// What postgresStorage promises beyond the shared suites: concurrent saves of
// different keys all survive (one merging UPDATE each), no token at rest,
// expired rows never read and swept a few per new session (or all by
// sweep()), the indexes every statement relies on, the typed errors of a
// missing table or a bad option. The real PostgreSQL of the global setup.
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueTable } from '../../../test/servers/isolation.ts';
import { postgresStorage } from '../../entries/postgres.ts';
import { SessionConfigError, SessionStoreError } from '../../errors.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { postgresClients } from '../../test-utils/sql-clients.ts';
import { resolveSqlTable } from '../sql/table.ts';
import { sha256Base64url } from '../store/token.ts';
import { postgresStatements } from './statements.ts';

type Data = Record<string, number | string>;

const { pool, client, connected, sql } = postgresClients();
beforeAll(() => connected);

function harness(table = uniqueTable('pgs'), o: { maxSessionsPerUser?: number } = {}) {
  const storage = postgresStorage({ client: pool, table, ...o });
  return { table, storage, h: new Harness<Data>({ storage }, new Clock(Date.now())) };
}

// Another tab of the same browser: the same cookie, its own request.
function copyOf(browser: TestBrowser): TestBrowser {
  const copy = new TestBrowser();
  copy.cookies.set('session', browser.cookies.get('session') ?? '');
  return copy;
}

async function count(table: string, where = 'true'): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
  return rows[0]?.n ?? -1;
}

describe('postgresStorage', () => {
  for (const [name, target] of [
    ['pg Pool', () => pool],
    ['postgres.js', () => sql],
  ] as const) {
    it(`${name}: concurrent saves of different keys all survive (one merging UPDATE each)`, async () => {
      const storage = postgresStorage({ client: target(), table: uniqueTable('merge') });
      const h = new Harness<Data>({ storage }, new Clock(Date.now()));
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('base', 1);
        s.set('gone', 1);
        await s.save();
      });
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      // Every request loads the same row before any of them saves.
      let loaded = 0;
      let release: () => void = () => {};
      const allLoaded = new Promise<void>((resolve) => {
        release = resolve;
      });
      await Promise.all(
        keys.map((key) =>
          h.request(copyOf(browser), async (s) => {
            expect(s.get('base')).toBe(1);
            loaded++;
            if (loaded === keys.length) release();
            await allLoaded;
            s.set(key, key);
            if (key === 'k0') s.delete('gone');
            await s.save();
          }),
        ),
      );
      await h.request(browser, (s) => {
        expect(s.data).toEqual({ base: 1, ...Object.fromEntries(keys.map((k) => [k, k])) });
      });
    });
  }

  it('a lone pg Client: concurrent requests are queued by the kit, not by node-postgres (deprecated)', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const storage = postgresStorage({ client, table: uniqueTable('client') });
      const h = new Harness<Data>({ storage }, new Clock(Date.now()));
      const browsers = Array.from({ length: 6 }, () => new TestBrowser());
      await Promise.all(
        browsers.map((browser, i) =>
          h.request(browser, async (s) => {
            s.set('n', i);
            await s.save();
          }),
        ),
      );
      await Promise.all(browsers.map((browser, i) => h.request(browser, (s) => expect(s.get('n')).toBe(i))));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('keeps the SHA-256 of the token, never the token; the row holds data as jsonb', async () => {
    const { h, table } = harness();
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada');
      s.set('note', 'hello');
      await s.save();
    });
    const token = browser.cookies.get('session') ?? '';
    expect(token.length).toBeGreaterThan(20);
    const { rows } = await pool.query<{ token_hash: string; user_id: string; row: string }>(
      `SELECT token_hash, user_id, t::text AS row FROM ${table} AS t`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(await sha256Base64url(token));
    expect(rows[0]?.user_id).toBe('ada');
    expect(rows[0]?.row).not.toContain(token);
  });

  it('never returns an expired row, swept or not; a new session sweeps a few; sweep() the rest', async () => {
    const { h, table, storage } = harness();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('n', 1);
      await s.save();
    });
    // 35 rows that expired two minutes ago (past the sweep's one-minute grace), and the live one.
    await pool.query(
      `INSERT INTO ${table} (token_hash, id, last_active_at, expires_at, data)
       SELECT 'old' || g, 'x', 0, $1::int8, '{}'::jsonb FROM generate_series(1, 35) AS g`,
      [Date.now() - 120_000],
    );
    // Expired by the row's own expires_at, before any sweep: the live session's row made stale.
    const other = new TestBrowser();
    await h.request(other, async (s) => {
      s.set('n', 2);
      await s.save();
    });
    expect(await count(table), 'the new session swept 10 of the 35').toBe(2 + 25);
    const hash = await sha256Base64url(other.cookies.get('session') ?? '');
    await pool.query(`UPDATE ${table} SET expires_at = $1 WHERE token_hash = $2`, [Date.now() - 1, hash]);
    await h.request(other, (s) => {
      expect(s.isNew, 'expired in the row: not returned').toBe(true);
    });
    expect(await count(table, `token_hash = '${hash}'`), 'still there, within the grace').toBe(1);
    expect(await storage.sweep({ max: 20 })).toBe(20);
    expect(await storage.sweep()).toBe(5);
    expect(await storage.sweep()).toBe(0);
    await h.request(browser, (s) => expect(s.get('n')).toBe(1));
    await expect(storage.sweep({ max: 0 })).rejects.toThrow(SessionConfigError);
  });

  it('reads through indexes: by token hash, by user, and the sweep by expiry (100k live, 100k expired rows)', async () => {
    const { h, table } = harness();
    await h.request(new TestBrowser(), async (_s, { newSession }) => {
      const s = newSession('ada');
      s.set('n', 1);
      await s.save();
    });
    await pool.query(
      `INSERT INTO ${table} (token_hash, id, user_id, last_active_at, expires_at, data)
       SELECT 'row' || g, 'x', 'u' || (g % 20000), 0, CASE WHEN g % 2 = 0 THEN g ELSE $1::int8 END, '{}'::jsonb
       FROM generate_series(1, 200000) AS g`,
      [Date.now() + 3_600_000],
    );
    await pool.query(`ANALYZE ${table}`);
    const s = postgresStatements(resolveSqlTable('test', { table }).table);
    const plan = async (text: string, values: unknown[]) => {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    };
    const now = Date.now();
    expect(await plan(s.get.text, ['k', now])).toContain(`Index Scan using ${table}_pkey`);
    expect(await plan(s.list.text, ['ada', now])).toContain(`${table}_user_id_idx`);
    expect(await plan(s.sweep.text, [now, 1000])).toContain(`${table}_expires_at_idx`);
    const touch = await plan(s.getTouch.text, ['k', now, now, now, now, now, 1000]);
    expect(touch).toContain(`Index Scan using ${table}_pkey`);
    expect(touch, 'no full scan').not.toMatch(/Seq Scan/);
    const create = await plan(s.create.text, ['k', 'i', null, null, '{}', null, null, now, now, now, '[]']);
    expect(create).toContain(`${table}_expires_at_idx`);
    expect(create, 'no full scan').not.toMatch(/Seq Scan/);
  });

  it('maxSessionsPerUser ends the oldest rows of the user', async () => {
    const { h, table } = harness(uniqueTable('limit'), { maxSessionsPerUser: 2 });
    const devices = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
    for (const browser of devices) {
      h.clock.advance(1);
      await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('grace');
        s.set('n', 1);
        await s.save();
      });
    }
    expect(await count(table, "user_id = 'grace'")).toBe(2);
    await h.request(devices[0] as TestBrowser, (s) => expect(s.isNew).toBe(true));
  });

  it('createTable: false and no table: SessionStoreError saying how to create it', async () => {
    const storage = postgresStorage({ client: pool, table: uniqueTable('none'), createTable: false });
    const h = new Harness<Data>({ storage }, new Clock(Date.now()));
    const browser = new TestBrowser();
    const error = await h
      .request(browser, async (s) => {
        s.set('n', 1);
        await s.save();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toContain('npx next-session-kit sql postgres');
  });

  it('creates its table once, in the schema it is given', async () => {
    const schema = uniqueTable('schema');
    await pool.query(`CREATE SCHEMA ${schema}`);
    const table = `${schema}.sessions`;
    const { h } = harness(table);
    const browsers = [new TestBrowser(), new TestBrowser(), new TestBrowser()];
    await Promise.all(
      browsers.map((browser) =>
        h.request(browser, async (s) => {
          s.set('n', 1);
          await s.save();
        }),
      ),
    );
    expect(await count(table)).toBe(3);
    const { rows } = await pool.query<{ indexname: string }>(
      'SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname',
      [schema],
    );
    expect(rows.map((r) => r.indexname)).toEqual([
      'sessions_expires_at_idx',
      'sessions_pkey',
      'sessions_user_id_idx',
    ]);
  });

  it('refuses a bad client, table or option at creation, with a typed error', () => {
    const bad: Array<() => unknown> = [
      () => postgresStorage(undefined as never),
      () => postgresStorage({ client: {} as never }),
      () => postgresStorage({ client: pool, table: 'Sessions; DROP TABLE x' }),
      () => postgresStorage({ client: pool, table: 'a.b.c' }),
      () => postgresStorage({ client: pool, table: `t${'x'.repeat(48)}` }),
      () => postgresStorage({ client: pool, createTable: 'yes' as never }),
      () => postgresStorage({ client: pool, keyPrefix: 'x' } as never),
      () => postgresStorage({ client: pool, maxSessionsPerUser: 0 }),
    ];
    for (const make of bad) expect(make).toThrow(SessionConfigError);
    expect(postgresStorage({ client: pool, table: 'app.next_sessions' }).name).toBe('postgres');
  });
});
