// `next-session-kit sql`: prints exactly the statements the storages run with
// createTable: true (it has no DDL of its own: it prints ddl.ts, as built), and
// what it prints creates a table they work with. The installed tarball's
// command is checked by scripts/pack-smoke.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
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
import { runSql, type SqlDdl } from './sql.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The sources, in place of the built package (vitest runs before any build).
const sources = async (): Promise<SqlDdl> => ({ postgresTableSql, sqliteTableSql, resolveSqlTable });

async function print(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSql(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, sources);
  return { code, out: out.join(''), err: err.join('') };
}

const BIN = join(ROOT, 'bin', 'next-session-kit.mjs');
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
  it('prints the statements the storages run themselves', async () => {
    for (const name of ['next_sessions', 'app_sessions', 'app.sessions', '_x9']) {
      const { table } = resolveSqlTable('test', { table: name });
      for (const [dialect, statements] of [
        ['postgres', postgresTableSql(table)],
        ['sqlite', sqliteTableSql(table)],
      ] as const) {
        const { code, out } = await print(dialect, '--table', name);
        expect(code).toBe(0);
        expect(
          out
            .split('\n')
            .filter((line) => !line.startsWith('--'))
            .join('\n'),
        ).toBe(statements.map((statement) => `${statement};\n`).join(''));
      }
    }
    for (const name of ['Sessions', 'a.b.c', 'x;drop', '', `t${'x'.repeat(48)}`]) {
      const { code, out, err } = await print('postgres', '--table', name);
      expect(code).toBe(1);
      expect(out).toBe('');
      expect(err).toContain('--table must be a lowercase SQL name');
      expect(err).toContain('Usage: next-session-kit sql');
    }
  });

  // In a clone, once `npm run build` has run (CI builds after vitest; pack-smoke checks the tarball).
  it.runIf(existsSync(join(ROOT, 'dist', 'storage', 'sql', 'ddl.js')))(
    'the command prints the built package’s DDL',
    async () => {
      for (const dialect of ['postgres', 'sqlite']) {
        expect(cli(dialect, '--table', 'app.sessions')).toEqual({
          code: 0,
          out: (await print(dialect, '--table', 'app.sessions')).out,
          err: '',
        });
      }
    },
  );

  it('refuses an unknown database, argument or table name, with the usage', () => {
    for (const args of [[], ['mysql'], ['postgres', '--tables', 'x']]) {
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
    beforeAll(async () => {
      printed = (await print('postgres', '--table', table)).out;
    });

    it('postgres (twice: it is idempotent)', async () => {
      const { code, out } = await print('postgres', `--table=${table}`);
      expect(code).toBe(0);
      expect(out).toBe(printed);
      await pool.query(out);
      await pool.query(out);
      await works(postgresStorage({ client: pool, table, createTable: false }));
    });

    it('sqlite', async () => {
      const { code, out } = await print('sqlite');
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
