import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The storages the demo app (app/lib/session.ts) runs on, as the e2e specs
 * and the load test name them.
 */
export type DemoStorage = 'cookie' | 'redis' | 'redis-cluster' | 'kv' | 'memcached' | 'postgres' | 'sqlite';

export const DEMO_STORAGES: readonly DemoStorage[] = [
  'cookie',
  'redis',
  'redis-cluster',
  'kv',
  'memcached',
  'postgres',
  'sqlite',
];

/** The environment variables that point the demo at each store: SESSION_STORAGE and its connection. */
export const demoEnv = {
  cookie: (): Record<string, string> => ({ SESSION_STORAGE: 'cookie' }),
  redis: (url: string): Record<string, string> => ({ SESSION_STORAGE: 'redis', REDIS_URL: url }),
  // The demo's SESSION_STORAGE=redis with REDIS_CLUSTER_NODES builds an ioredis Cluster.
  cluster: (nodes: readonly { host: string; port: number }[]): Record<string, string> => ({
    SESSION_STORAGE: 'redis',
    REDIS_CLUSTER_NODES: nodes.map((node) => `${node.host}:${node.port}`).join(','),
  }),
  kv: (url: string, token: string): Record<string, string> => ({
    SESSION_STORAGE: 'kv',
    KV_REST_API_URL: url,
    KV_REST_API_TOKEN: token,
  }),
  memcached: (servers: string): Record<string, string> => ({
    SESSION_STORAGE: 'memcached',
    MEMCACHED_SERVERS: servers,
  }),
  postgres: (url: string): Record<string, string> => ({ SESSION_STORAGE: 'postgres', DATABASE_URL: url }),
  sqlite: (path: string): Record<string, string> => ({ SESSION_STORAGE: 'sqlite', SQLITE_PATH: path }),
};

/** A SQLite database file in a new temporary directory; `remove()` deletes the directory. */
export function demoSqliteFile(prefix: string): { env: Record<string, string>; remove(): Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    env: demoEnv.sqlite(join(dir, 'sessions.db')),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
