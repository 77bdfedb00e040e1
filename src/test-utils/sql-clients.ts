import Database from 'better-sqlite3';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, inject } from 'vitest';

/**
 * Clients of the PostgreSQL the global setup started (test/servers/): a
 * node-postgres `Pool` and a connected `Client`, and a postgres.js `sql`,
 * closed after the calling test file. Every test keeps to its own tables
 * (`uniqueTable()`).
 */
export function postgresClients() {
  const { url } = inject('servers').postgres;
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // node-postgres emits errors of idle connections on the pool: without a listener they would throw.
  pool.on('error', () => {});
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  const connected = client.connect();
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  afterAll(async () => {
    await connected.catch(() => {});
    await Promise.allSettled([pool.end(), client.end(), sql.end({ timeout: 1 })]);
  });
  return { url, pool, client, connected, sql };
}

/**
 * An in-memory SQLite database per call (closed after the calling test file).
 */
export function sqliteDatabases(): () => Database.Database {
  const open: Database.Database[] = [];
  afterAll(() => {
    for (const db of open) db.close();
  });
  return () => {
    const db = new Database(':memory:');
    open.push(db);
    return db;
  };
}
