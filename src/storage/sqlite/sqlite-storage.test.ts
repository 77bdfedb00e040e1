// What sqliteStorage promises beyond the shared suites: concurrent saves of
// different keys all survive, no token at rest, expired rows never read and
// swept a few per new session (or all by sweep()), the indexes its statements
// use, one statement per load and one transaction per save, and typed errors
// for a missing table or a bad option.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { uniqueTable } from '../../../test/servers/isolation.ts';
import { sqliteStorage } from '../../entries/sqlite.ts';
import { SessionConfigError, SessionStoreError } from '../../errors.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { resolveSqlTable } from '../sql/table.ts';
import { sha256Base64url } from '../store/token.ts';
import type { SqliteDatabase } from './database.ts';
import { sqliteSql } from './statements.ts';

type Data = Record<string, number | string>;

const dir = mkdtempSync(join(tmpdir(), 'nsk-sqlite-'));
const database = new Database(join(dir, 'sessions.db'));
database.pragma('journal_mode = WAL');
afterAll(() => {
  database.close();
  rmSync(dir, { recursive: true, force: true });
});

function harness(table = uniqueTable('lite'), o: { maxSessionsPerUser?: number; db?: SqliteDatabase } = {}) {
  const { db = database, ...rest } = o;
  const storage = sqliteStorage({ database: db, table, ...rest });
  return { table, storage, h: new Harness<Data>({ storage }, new Clock(Date.now())) };
}

const count = (table: string, where = '1'): number =>
  (database.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

// Another tab of the same browser: the same cookie, its own request.
function copyOf(browser: TestBrowser): TestBrowser {
  const copy = new TestBrowser();
  copy.cookies.set('session', browser.cookies.get('session') ?? '');
  return copy;
}

/** A Database that counts statements run outside a transaction, and transactions. */
function counting(db: Database.Database) {
  const counts = { statements: 0, transactions: 0 };
  let inside = 0;
  const wrapped: SqliteDatabase = {
    exec: (source) => db.exec(source),
    prepare: (source) => {
      const statement = db.prepare(source);
      const counted =
        <A extends unknown[], R>(fn: (...args: A) => R) =>
        (...args: A): R => {
          if (inside === 0) counts.statements++;
          return fn(...args);
        };
      return {
        run: counted((...p: unknown[]) => statement.run(...p)),
        get: counted((...p: unknown[]) => statement.get(...p)),
        all: counted((...p: unknown[]) => statement.all(...p)),
      };
    },
    transaction: (fn) => {
      const tx = db.transaction(() => {
        inside++;
        try {
          return fn();
        } finally {
          inside--;
        }
      });
      return {
        immediate: () => {
          counts.transactions++;
          return tx.immediate();
        },
      };
    },
  };
  return { wrapped, counts };
}

describe('sqliteStorage', () => {
  it('concurrent saves of different keys, from two connections to one file, all survive', async () => {
    const other = new Database(join(dir, 'sessions.db'));
    try {
      const table = uniqueTable('merge');
      const one = harness(table).h;
      const two = harness(table, { db: other }).h;
      const browser = new TestBrowser();
      await one.request(browser, async (s) => {
        s.set('base', 1);
        s.set('gone', 1);
        await s.save();
      });
      const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
      let loaded = 0;
      let release: () => void = () => {};
      const allLoaded = new Promise<void>((resolve) => {
        release = resolve;
      });
      await Promise.all(
        keys.map((key, i) =>
          (i % 2 === 0 ? one : two).request(copyOf(browser), async (s) => {
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
      await one.request(browser, (s) => {
        expect(s.data).toEqual({ base: 1, ...Object.fromEntries(keys.map((k) => [k, k])) });
      });
    } finally {
      other.close();
    }
  });

  it('three processes saving different keys into one session at once: every key survives', async () => {
    const SAVES = 1000;
    const table = uniqueTable('procs');
    const { storage } = harness(table);
    const h = new Harness<Data>({ storage }, new Clock(Date.now()));
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('base', 1);
      await s.save();
    });
    const key = await sha256Base64url(browser.cookies.get('session') ?? '');
    const worker = fileURLToPath(new URL('../../test-utils/sqlite-merge-worker.ts', import.meta.url));
    // They start together once all have loaded (tsx takes a while), so their saves interleave.
    const startAt = String(Date.now() + 4000);
    const run = (prefix: string) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', worker, join(dir, 'sessions.db'), table, key, prefix, String(SAVES), startAt],
        { timeout: 240_000 },
      );
    const results = await Promise.all([run('a'), run('b'), run('c')]);
    expect(results.map((r) => r.stdout)).toEqual(['done\n', 'done\n', 'done\n']);
    await h.request(browser, (s) => {
      const keys = Object.keys(s.data);
      expect(keys).toHaveLength(1 + 3 * SAVES);
      expect(s.get('base')).toBe(1);
      expect(s.get(`c${SAVES - 1}`)).toBe(SAVES - 1);
    });
  }, 300_000);

  it('keeps the SHA-256 of the token, never the token', async () => {
    const { h, table } = harness();
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('ada');
      s.set('note', 'hello');
      await s.save();
    });
    const token = browser.cookies.get('session') ?? '';
    expect(token.length).toBeGreaterThan(20);
    const rows = database.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_hash).toBe(await sha256Base64url(token));
    expect(rows[0]?.user_id).toBe('ada');
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('never returns an expired row, swept or not; a new session sweeps a few; sweep() the rest', async () => {
    const { h, table, storage } = harness();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('n', 1);
      await s.save();
    });
    const insert = database.prepare(
      `INSERT INTO ${table} (token_hash, id, last_active_at, expires_at, data) VALUES (?, 'x', 0, ?, '{}')`,
    );
    for (let i = 0; i < 35; i++) insert.run(`old${i}`, Date.now() - 120_000);
    const other = new TestBrowser();
    await h.request(other, async (s) => {
      s.set('n', 2);
      await s.save();
    });
    expect(count(table), 'the new session swept 10 of the 35').toBe(2 + 25);
    const hash = await sha256Base64url(other.cookies.get('session') ?? '');
    database.prepare(`UPDATE ${table} SET expires_at = ? WHERE token_hash = ?`).run(Date.now() - 1, hash);
    await h.request(other, (s) => {
      expect(s.isNew, 'expired in the row: not returned').toBe(true);
    });
    expect(count(table, `token_hash = '${hash}'`), 'still there, within the grace').toBe(1);
    expect(await storage.sweep({ max: 20 })).toBe(20);
    expect(await storage.sweep()).toBe(5);
    expect(await storage.sweep()).toBe(0);
    await h.request(browser, (s) => expect(s.get('n')).toBe(1));
  });

  it('reads through indexes: by token hash, by user, and the sweep by expiry', async () => {
    const { h, table } = harness();
    await h.request(new TestBrowser(), async (s) => {
      s.set('n', 1);
      await s.save();
    });
    const sql = sqliteSql(resolveSqlTable('test', { table }).table);
    const plan = (text: string, ...values: unknown[]) =>
      (database.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...values) as Array<{ detail: string }>)
        .map((row) => row.detail)
        .join('\n');
    expect(plan(sql.get, 'k', 1)).toMatch(/USING INDEX sqlite_autoindex_/);
    expect(plan(sql.list, 'ada', 1)).toContain(`USING INDEX ${table}_user_id_idx`);
    expect(plan(sql.sweep, 1, 1000)).toContain(`USING INDEX ${table}_expires_at_idx`);
    expect(plan(sql.sweepFew, 1)).toContain(`USING INDEX ${table}_expires_at_idx`);
    expect(plan(sql.get, 'k', 1), 'no full scan').not.toMatch(/SCAN/);
  });

  it('a load is one statement, a save one transaction', async () => {
    const { wrapped, counts } = counting(database);
    const { h } = harness(uniqueTable('count'), { db: wrapped });
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession();
      s.set('n', 1);
      await s.save();
    });
    const cost = async (fn: () => Promise<unknown>) => {
      const before = { ...counts };
      await fn();
      return {
        statements: counts.statements - before.statements,
        transactions: counts.transactions - before.transactions,
      };
    };
    expect(await cost(() => h.request(browser, (s) => s.get('n')))).toEqual({
      statements: 1,
      transactions: 0,
    });
    expect(
      await cost(() =>
        h.request(browser, async (s) => {
          s.set('n', 2);
          await s.save();
        }),
      ),
    ).toEqual({ statements: 1, transactions: 1 });
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
    expect(count(table, "user_id = 'grace'")).toBe(2);
    await h.request(devices[0] as TestBrowser, (s) => expect(s.isNew).toBe(true));
  });

  it('createTable: false and no table: SessionStoreError saying how to create it', async () => {
    const storage = sqliteStorage({ database, table: uniqueTable('none'), createTable: false });
    const h = new Harness<Data>({ storage }, new Clock(Date.now()));
    const error = await h
      .request(new TestBrowser(), async (s) => {
        s.set('n', 1);
        await s.save();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toContain('npx next-session-kit sql sqlite');
  });

  it('a closed database gives SessionStoreError, never a fresh session', async () => {
    const db = new Database(':memory:');
    const { h } = harness(uniqueTable('closed'), { db });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('n', 1);
      await s.save();
    });
    db.close();
    const error = await h.request(browser, (s) => s.get('n')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
  });

  it('refuses a bad database, table or option at creation, with a typed error', () => {
    const bad: Array<() => unknown> = [
      () => sqliteStorage(undefined as never),
      () => sqliteStorage({ database: {} as never }),
      () => sqliteStorage({ database, table: 'Sessions; DROP TABLE x' }),
      () => sqliteStorage({ database, table: 'a.b.c' }),
      () => sqliteStorage({ database, createTable: 1 as never }),
      () => sqliteStorage({ database, client: database } as never),
      () => sqliteStorage({ database, timeout: 0 }),
    ];
    for (const make of bad) expect(make).toThrow(SessionConfigError);
    expect(sqliteStorage({ database, table: 'main.next_sessions' }).name).toBe('sqlite');
  });
});
