// `next-session-kit sql`: prints exactly the statements the storages run with
// createTable: true, and what it prints creates a table they work with.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { postgresStorage } from '../src/entries/postgres.ts';
import { sqliteStorage } from '../src/entries/sqlite.ts';
import { postgresTableSql, sqliteTableSql } from '../src/storage/sql/ddl.ts';
import { resolveSqlTable } from '../src/storage/sql/table.ts';
import type { SessionStorage } from '../src/storage/types.ts';
import { TestBrowser } from '../src/test-utils/browser.ts';
import { Clock, Harness } from '../src/test-utils/harness.ts';
import { postgresClients } from '../src/test-utils/sql-clients.ts';
import { uniqueTable } from '../test/servers/isolation.ts';
import { parseTable, runSql, tableSql } from './sql.mjs';

const BIN = join(fileURLToPath(new URL('..', import.meta.url)), 'bin', 'next-session-kit.mjs');
const { pool } = postgresClients();

function cli(...args: string[]) {
  const run = spawnSync(process.execPath, [BIN, 'sql', ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

async function works(storage: SessionStorage): Promise<void> {
  const h = new Harness<{ n?: number }>({ storage }, new Clock(Date.now()));
  const browser = new TestBrowser();
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession('ada');
    s.set('n', 1);
    await s.save();
  });
  await h.request(browser, (s) => expect(s.get('n')).toBe(1));
}

describe('next-session-kit sql', () => {
  it('prints the statements the storages run themselves', () => {
    for (const name of ['next_sessions', 'app_sessions', 'app.sessions', '_x9']) {
      const { table } = resolveSqlTable('test', { table: name });
      expect(parseTable(name)).toEqual(table);
      expect(tableSql('postgres', table)).toEqual(postgresTableSql(table));
      expect(tableSql('sqlite', table)).toEqual(sqliteTableSql(table));
    }
    for (const name of ['Sessions', 'a.b.c', 'x;drop', '', `t${'x'.repeat(48)}`]) {
      expect(parseTable(name)).toBeUndefined();
      expect(() => resolveSqlTable('test', { table: name })).toThrow();
    }
  });

  it('refuses an unknown database, argument or table name, with the usage', () => {
    for (const args of [[], ['mysql'], ['postgres', '--tables', 'x'], ['sqlite', '--table', 'Bad']]) {
      const { code, out, err } = cli(...args);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toContain('Usage: next-session-kit sql');
    }
    expect(cli('--help').out).toContain('Usage: next-session-kit sql');
  });

  describe('what it prints creates a working table', () => {
    let printed = '';
    const table = uniqueTable('cli');
    beforeAll(() => {
      const lines: string[] = [];
      expect(runSql(['postgres', '--table', table], { out: (t) => lines.push(t), err: () => {} })).toBe(0);
      printed = lines.join('');
    });

    it('postgres (twice: it is idempotent)', async () => {
      const { code, out } = cli('postgres', `--table=${table}`);
      expect(code).toBe(0);
      expect(out).toBe(printed);
      await pool.query(out);
      await pool.query(out);
      await works(postgresStorage({ client: pool, table, createTable: false }));
    });

    it('sqlite', async () => {
      const { code, out } = cli('sqlite');
      expect(code).toBe(0);
      const database = new Database(':memory:');
      try {
        database.exec(out);
        database.exec(out);
        await works(sqliteStorage({ database, createTable: false }));
      } finally {
        database.close();
      }
    });
  });
});
