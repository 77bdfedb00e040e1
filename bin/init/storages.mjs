// The storages `init --storage <name>` can set up: one entry each. A new
// storage (postgres, sqlite, …) is one more entry; nothing else changes.

/**
 * @typedef {{ name: string, value: string | { secret: true }, comment: string }} EnvVariable
 *   a variable init adds to .env.local when no .env file sets it yet
 * @typedef {{
 *   summary: string,
 *   packages: string[],
 *   typePackages: string[],
 *   imports: string[],
 *   setup: (ts: boolean) => string,
 *   storage: string,
 *   comment: string,
 *   exports: string[],
 *   env: EnvVariable[],
 *   notes: string[],
 *   edge: boolean,
 * }} StorageTemplate
 *
 * - `packages`: the client library the app installs (an optional peer of the kit);
 *   `typePackages`: its type definitions, for TypeScript apps only.
 * - `imports`: lib/session's import lines, in order; `setup(ts)`: code between
 *   them and `createSessionKit()` (a client, say), TypeScript or JavaScript.
 * - `storage`: the `storage` option's expression, with `comment` above it.
 * - `exports`: what lib/session exports besides getSession, newSession,
 *   destroySession and guard.
 * - `edge`: whether it also runs in middleware.ts on the edge runtime (no TCP there).
 */

/** @type {Record<string, StorageTemplate>} */
export const STORAGES = {
  cookie: {
    summary: 'encrypted cookie (JWE), sealed with SESSION_SECRET',
    packages: [],
    typePackages: [],
    imports: ["import { createSessionKit, encryptedCookieStorage, sessionSecret } from 'next-session-kit';"],
    setup: () => '',
    storage: 'encryptedCookieStorage({ secret: sessionSecret() })',
    comment:
      '// The session lives in an encrypted cookie sealed with SESSION_SECRET (.env.local here; your\n' +
      "  // host's environment in production). `next dev` without it uses a key kept in .next-session-kit/.",
    exports: [],
    env: [
      {
        name: 'SESSION_SECRET',
        value: { secret: true },
        comment:
          '# next-session-kit: seals the session cookie. Keep it out of git; set your own in production\n' +
          '# (npx next-session-kit secret prints a new one; "new,old" rotates keys).',
      },
    ],
    notes: [
      "In production, set SESSION_SECRET in your host's environment (npx next-session-kit secret prints one).",
    ],
    edge: true,
  },

  redis: {
    summary: 'Redis (or Redis Cluster) through ioredis',
    packages: ['ioredis'],
    typePackages: [],
    imports: [
      "import { Redis } from 'ioredis';",
      "import { createSessionKit } from 'next-session-kit';",
      "import { redisStorage } from 'next-session-kit/redis';",
    ],
    setup: (ts) =>
      '// One client per process, kept across dev hot reloads. It connects on first use, so `next build`\n// needs no Redis.\n' +
      (ts
        ? 'const cache = globalThis as typeof globalThis & { sessionRedis?: Redis };\n'
        : '/** @type {typeof globalThis & { sessionRedis?: Redis }} */\nconst cache = globalThis;\n') +
      "const redis = (cache.sessionRedis ??= new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {\n" +
      '  lazyConnect: true,\n}));\n',
    storage: 'redisStorage({ client: redis })',
    comment: '// Sessions live in Redis; the cookie holds only a random token.',
    exports: ['listUserSessions', 'destroyUserSessions'],
    env: [
      {
        name: 'REDIS_URL',
        value: 'redis://127.0.0.1:6379',
        comment: '# next-session-kit: the Redis that keeps sessions.',
      },
    ],
    notes: ["A local Redis for development: redis-server --port 6379 --save '' --appendonly no"],
    edge: false,
  },

  kv: {
    summary: 'Vercel KV / Upstash Redis over HTTP (@vercel/kv)',
    packages: ['@vercel/kv'],
    typePackages: [],
    imports: [
      "import { kv } from '@vercel/kv';",
      "import { createSessionKit } from 'next-session-kit';",
      "import { kvStorage } from 'next-session-kit/kv';",
    ],
    setup: () => '',
    storage: 'kvStorage({ client: kv })',
    comment:
      '// Sessions live in Vercel KV / Upstash; the cookie holds only a random token. `kv` reads\n' +
      '  // KV_REST_API_URL and KV_REST_API_TOKEN on first use.',
    exports: ['listUserSessions', 'destroyUserSessions'],
    env: [],
    notes: [
      'Set KV_REST_API_URL and KV_REST_API_TOKEN (from your Vercel KV / Upstash database) in .env.local; ' +
        '`vercel env pull .env.local` fetches them.',
    ],
    edge: true,
  },

  memcached: {
    summary: 'Memcached through memjs',
    packages: ['memjs'],
    typePackages: ['@types/memjs'],
    imports: [
      "import memjs from 'memjs';",
      "import { createSessionKit } from 'next-session-kit';",
      "import { memcachedStorage } from 'next-session-kit/memcached';",
    ],
    setup: (ts) =>
      '// One client per process, kept across dev hot reloads; memjs connects on first use.\n' +
      (ts
        ? 'const cache = globalThis as typeof globalThis & { sessionMemcached?: memjs.Client };\n'
        : '/** @type {typeof globalThis & { sessionMemcached?: memjs.Client }} */\nconst cache = globalThis;\n') +
      'const memcached = (cache.sessionMemcached ??= memjs.Client.create(\n' +
      "  process.env.MEMCACHED_SERVERS ?? '127.0.0.1:11211',\n));\n",
    storage: 'memcachedStorage({ client: memcached })',
    comment: '// Sessions live in memcached; the cookie holds only a random token.',
    exports: ['listUserSessions', 'destroyUserSessions'],
    env: [
      {
        name: 'MEMCACHED_SERVERS',
        value: '127.0.0.1:11211',
        comment: '# next-session-kit: the memcached servers that keep sessions (host:port,host:port).',
      },
    ],
    notes: ['A local memcached for development: memcached -p 11211 -l 127.0.0.1 -m 64'],
    edge: false,
  },

  postgres: {
    summary: 'PostgreSQL through node-postgres (pg)',
    packages: ['pg'],
    typePackages: ['@types/pg'],
    imports: [
      "import pg from 'pg';",
      "import { createSessionKit } from 'next-session-kit';",
      "import { postgresStorage } from 'next-session-kit/postgres';",
    ],
    setup: (ts) =>
      "// One pool per process, kept across dev hot reloads (or pass your app's own pool). It connects on\n" +
      '// first use, so `next build` needs no database.\n' +
      (ts
        ? 'const cache = globalThis as typeof globalThis & { sessionPool?: pg.Pool };\n'
        : '/** @type {typeof globalThis & { sessionPool?: pg.Pool }} */\nconst cache = globalThis;\n') +
      'if (!cache.sessionPool) {\n' +
      '  cache.sessionPool = new pg.Pool({ connectionString: process.env.DATABASE_URL });\n' +
      '  // node-postgres reports idle connections cut by a database restart here; unhandled, they crash Node.\n' +
      "  cache.sessionPool.on('error', (error) => console.error('session pool:', error.message));\n" +
      '}\n' +
      'const pool = cache.sessionPool;\n',
    storage: 'postgresStorage({ client: pool })',
    comment:
      '// Sessions live in the PostgreSQL table next_sessions (created on first use); the cookie holds\n' +
      '  // only a random token.',
    exports: ['listUserSessions', 'destroyUserSessions'],
    env: [
      {
        name: 'DATABASE_URL',
        value: 'postgres://postgres@127.0.0.1:5432/postgres',
        comment: '# next-session-kit: the PostgreSQL that keeps sessions.',
      },
    ],
    notes: [
      'To keep the session table in your own migrations: npx next-session-kit sql postgres, then ' +
        'postgresStorage({ client: pool, createTable: false }).',
    ],
    edge: false,
  },

  sqlite: {
    summary: 'SQLite through better-sqlite3 (a file, no server)',
    packages: ['better-sqlite3'],
    typePackages: ['@types/better-sqlite3'],
    imports: [
      "import { mkdirSync } from 'node:fs';",
      "import Database from 'better-sqlite3';",
      "import { createSessionKit } from 'next-session-kit';",
      "import { sqliteStorage } from 'next-session-kit/sqlite';",
    ],
    setup: (ts) =>
      '// One connection per process, kept across dev hot reloads; WAL lets the other Next workers read\n' +
      '// while one writes.\n' +
      (ts
        ? 'const cache = globalThis as typeof globalThis & { sessionDb?: Database.Database };\n'
        : "/** @type {typeof globalThis & { sessionDb?: import('better-sqlite3').Database }} */\nconst cache = globalThis;\n") +
      'if (!cache.sessionDb) {\n' +
      "  mkdirSync('.data', { recursive: true });\n" +
      "  cache.sessionDb = new Database(process.env.SESSION_DB ?? '.data/sessions.db');\n" +
      "  cache.sessionDb.pragma('journal_mode = WAL');\n" +
      '}\n' +
      'const database = cache.sessionDb;\n',
    storage: 'sqliteStorage({ database })',
    comment:
      '// Sessions live in the SQLite table next_sessions (created on first use); the cookie holds only\n' +
      '  // a random token.',
    exports: ['listUserSessions', 'destroyUserSessions'],
    env: [],
    notes: [
      'Add .data/ to .gitignore: it holds the session database. Every Next process of the app must share ' +
        'that file on one local disk (one machine).',
    ],
    edge: false,
  },
};

/** The storage names, in the order `--help` lists them. */
export const STORAGE_NAMES = Object.keys(STORAGES);
