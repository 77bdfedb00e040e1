// Issue 15: "1M expired rows must not slow a load", on SQLite. better-sqlite3
// exposes no count of pages read or VM steps, so the proof is the plan (a load
// by the primary key, the sweep by the expires_at index, no scan) and the
// count of rows a login's sweep deletes (its bound, no more), with 1,000,000
// expired rows in a table the storage made.
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueTable } from '../../../test/servers/isolation.ts';
import { sqliteStorage } from '../../entries/sqlite.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { SWEEP_GRACE_MS, SWEEP_PER_WRITE } from '../sql/sweep.ts';
import { resolveSqlTable } from '../sql/table.ts';
import { sqliteSql } from './statements.ts';

type Data = Record<string, number | string>;

const EXPIRED = 1_000_000;

const database = new Database(':memory:');
afterAll(() => database.close());

describe(`sqliteStorage with ${EXPIRED.toLocaleString('en')} expired rows`, () => {
  it('a load reads by primary key and a login sweeps at most its bound, through the expires_at index', async () => {
    const table = uniqueTable('expired');
    const storage = sqliteStorage({ database, table });
    const h = new Harness<Data>({ storage }, new Clock(Date.now()));
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada');
      s.set('n', 1);
      await s.save();
    });
    // Rows as the storage writes them: a random 43-character key, a 12-character
    // id, JSON data, each its own expires_at past the sweep's grace.
    const expiredBefore = Date.now() - 2 * SWEEP_GRACE_MS;
    database
      .prepare(
        `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ${EXPIRED})
         INSERT INTO ${table} (token_hash, id, user_id, version, last_active_at, expires_at, data, flash, meta)
         SELECT substr(hex(randomblob(32)), 1, 43), 'AAAAAAAAAAAA', CASE WHEN n % 2 = 0 THEN 'u' || (n % 50000) END,
                NULL, ? - 3600000 - n, ? - n, '{"n":"j1"}', NULL, NULL
         FROM g`,
      )
      .run(expiredBefore, expiredBefore);
    database.exec(`ANALYZE ${table}`);
    const count = (where = '1'): number =>
      (database.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
    expect(count(`expires_at <= ${expiredBefore}`)).toBe(EXPIRED);

    const sql = sqliteSql(resolveSqlTable('test', { table }).table);
    const plan = (text: string, ...values: unknown[]) =>
      (database.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as Array<{ detail: string }>)
        .map((row) => row.detail)
        .join('\n');
    const now = Date.now();
    for (const text of [sql.get, sql.current, sql.flash]) {
      expect(plan(text, 'k', now)).toMatch(/USING INDEX sqlite_autoindex_/);
      expect(plan(text, 'k', now), 'no full scan').not.toMatch(/\bSCAN\b/);
    }
    expect(plan(sql.touch, now, now, 'k', now, now)).toMatch(/USING INDEX sqlite_autoindex_/);
    const sweep = plan(sql.sweepFew, now - SWEEP_GRACE_MS);
    expect(sweep).toContain(`USING INDEX ${table}_expires_at_idx`);
    expect(sweep, 'no full scan').not.toMatch(/\bSCAN\b/);

    // Through the kit: the live session loads; a login deletes SWEEP_PER_WRITE rows, no more.
    await h.request(browser, (s) => {
      expect(s.isNew).toBe(false);
      expect(s.get('n')).toBe(1);
    });
    await h.request(new TestBrowser(), async (_s, { newSession }) => {
      const s = newSession('grace');
      s.set('n', 2);
      await s.save();
    });
    expect(count(), 'the login swept exactly its bound').toBe(EXPIRED - SWEEP_PER_WRITE + 2);
  }, 240_000);
});
