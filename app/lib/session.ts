// No `import 'server-only'` here: the Pages Router's getServerSideProps and API
// routes (pages/) share this kit, and Next refuses server-only there. The kit
// itself still fails the build of any browser bundle that imports it.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createClient, type VercelKV } from '@vercel/kv';
import Database from 'better-sqlite3';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import memjs from 'memjs';
import {
  createSessionKit,
  encryptedCookieStorage,
  type MigrationSource,
  type SessionStorage,
  sessionSecret,
} from 'next-session-kit';
import { kvStorage } from 'next-session-kit/kv';
import { memcachedStorage } from 'next-session-kit/memcached';
import { authjsSession } from 'next-session-kit/migrate/authjs';
import { ironSession } from 'next-session-kit/migrate/iron-session';
import { postgresStorage } from 'next-session-kit/postgres';
import { redisStorage } from 'next-session-kit/redis';
import { sqliteStorage } from 'next-session-kit/sqlite';
import pg from 'pg';
import { z } from 'zod';
import { demoEventHandlers } from './event-log';

/**
 * What the demo keeps in its session, checked on every load: a cookie or
 * record that does not match gives a fresh session (reason `schema`).
 */
const demoSchema = z.object({
  user: z.string().min(1).optional(),
  count: z.number().int().nonnegative().optional(),
  /** Second counter of /api/load: two parallel requests of one client change different keys. */
  count2: z.number().int().nonnegative().optional(),
  /** What /settings changes: only with a fresh sign-in. */
  displayName: z.string().max(64).optional(),
});

/** The session data's type, inferred from the schema. */
export type DemoData = z.output<typeof demoSchema>;

/** Flash messages: shown once, on the next page. */
export type DemoFlash = { notice?: string };

/**
 * What client components read with `useSession()` (the kit's `expose`): the
 * user name, nothing else of the session. A type-only import of this into a
 * client component is fine.
 */
export type ClientSession = Pick<DemoData, 'user'>;

/**
 * Where sessions live, from SESSION_STORAGE. `aiohttp-redis` shares sessions
 * with a Python aiohttp-session app (its `RedisStorage` records and cookie).
 */
export type StorageKind = 'cookie' | 'redis' | 'kv' | 'memcached' | 'postgres' | 'sqlite' | 'aiohttp-redis';
const STORAGE_KINDS: readonly StorageKind[] = [
  'cookie',
  'redis',
  'kv',
  'memcached',
  'postgres',
  'sqlite',
  'aiohttp-redis',
];

const CLIENTS = Symbol.for('next-session-kit-demo.store-clients');

function storageKind(): StorageKind {
  const raw = (process.env.SESSION_STORAGE ?? '').trim().toLowerCase();
  if (raw === '') return 'cookie';
  if ((STORAGE_KINDS as readonly string[]).includes(raw)) return raw as StorageKind;
  throw new Error(
    `[next-session-kit demo] Unknown SESSION_STORAGE="${raw.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}". ` +
      `Use one of: ${STORAGE_KINDS.join(', ')} (default: cookie).`,
  );
}

/**
 * Store clients, one per process: cached on globalThis so that dev hot
 * reloads (which re-evaluate this module) reuse the connection instead of
 * opening a new one each time.
 */
type Clients = {
  redis?: Redis | Cluster;
  kv?: VercelKV;
  memcached?: memjs.Client;
  postgres?: pg.Pool;
  sqlite?: Database.Database;
};
function clients(): Clients {
  const g = globalThis as { [CLIENTS]?: Clients };
  g[CLIENTS] ??= {};
  return g[CLIENTS];
}

/** Logs a store client's connection errors, without repeating the same one on every retry. */
function connectionLogger(name: string): (message: string) => void {
  let last = '';
  return (message) => {
    if (message === last) return;
    last = message;
    console.error(`[next-session-kit demo] ${name}: ${message}`);
  };
}

/** "host:port,host:port" → ioredis cluster startup nodes. */
function clusterNodes(list: string): Array<{ host: string; port: number }> {
  const nodes = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((entry) => {
      const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(entry);
      if (!match) {
        throw new Error(
          `[next-session-kit demo] REDIS_CLUSTER_NODES entry "${entry.slice(0, 60)}" is not host:port.`,
        );
      }
      return { host: match[1] as string, port: Number(match[2]) };
    });
  if (nodes.length === 0) throw new Error('[next-session-kit demo] REDIS_CLUSTER_NODES is empty.');
  return nodes;
}

function redisClient(): Redis | Cluster {
  const cache = clients();
  if (cache.redis) return cache.redis;
  const options: RedisOptions = {
    // Fail queued commands fast while Redis is down; the kit's own timeout
    // (2 s by default) turns any slower failure into SessionStoreError.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    // Connect on first use: `next build` loads this module without talking to Redis.
    lazyConnect: true,
    // Reconnect quickly once Redis is back (ioredis defaults grow to 2 s between attempts).
    retryStrategy: (times) => Math.min(times * 100, 500),
  };
  const nodes = process.env.REDIS_CLUSTER_NODES?.trim();
  const client = nodes
    ? new Cluster(clusterNodes(nodes), {
        redisOptions: options,
        enableOfflineQueue: true,
        lazyConnect: true,
        clusterRetryStrategy: (times) => Math.min(times * 100, 500),
      })
    : new Redis(process.env.REDIS_URL || 'redis://127.0.0.1:6379', options);
  const log = connectionLogger(nodes ? 'redis-cluster' : 'redis');
  client.on('error', (error: Error) => log(error.message));
  cache.redis = client;
  return client;
}

function kvClient(): VercelKV {
  const cache = clients();
  if (cache.kv) return cache.kv;
  const url = process.env.KV_REST_API_URL;
  const token = process.env.KV_REST_API_TOKEN;
  if (!url || !token) {
    throw new Error(
      '[next-session-kit demo] SESSION_STORAGE=kv needs KV_REST_API_URL and KV_REST_API_TOKEN ' +
        '(from your Vercel KV / Upstash Redis database).',
    );
  }
  cache.kv = createClient({ url, token });
  return cache.kv;
}

function memcachedClient(): memjs.Client {
  const cache = clients();
  if (cache.memcached) return cache.memcached;
  // memjs connects lazily, on the first command.
  cache.memcached = memjs.Client.create(process.env.MEMCACHED_SERVERS || '127.0.0.1:11211', {
    timeout: 0.5,
    retries: 1,
    logger: { log: connectionLogger('memcached') },
  });
  return cache.memcached;
}

function postgresPool(): pg.Pool {
  const cache = clients();
  if (cache.postgres) return cache.postgres;
  // The pool connects on first use: `next build` loads this module without a database.
  const pool = new pg.Pool({
    connectionString: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    // Fail fast while PostgreSQL is down; the kit's timeout (2 s) bounds every call anyway.
    connectionTimeoutMillis: 1000,
  });
  // Idle connections cut by a database restart are reported here; without a listener they would crash Node.
  const log = connectionLogger('postgres');
  pool.on('error', (error: Error) => log(error.message));
  cache.postgres = pool;
  return pool;
}

/** The demo's SQLite file: SQLITE_PATH, else .next-session-kit/sessions.db (git-ignored). */
function sqliteDatabase(): Database.Database {
  const cache = clients();
  if (cache.sqlite) return cache.sqlite;
  const file = process.env.SQLITE_PATH || '.next-session-kit/sessions.db';
  mkdirSync(dirname(file), { recursive: true });
  const database = new Database(file);
  // Readers in the other Next workers keep going while one writes.
  database.pragma('journal_mode = WAL');
  cache.sqlite = database;
  return database;
}

function createStorage(kind: StorageKind): SessionStorage {
  switch (kind) {
    case 'cookie':
      // Only the cookie storage seals with SESSION_SECRET; stores keep data server-side.
      // SESSION_SECRET (or `new,old` for rotation); without it, development uses a generated
      // key kept in .next-session-kit/dev-secret and production refuses to start.
      return encryptedCookieStorage({ secret: sessionSecret() });
    case 'redis':
      return redisStorage({ client: redisClient() });
    case 'kv':
      return kvStorage({ client: kvClient() });
    case 'memcached':
      return memcachedStorage({ client: memcachedClient() });
    case 'postgres':
      return postgresStorage({ client: postgresPool() });
    case 'sqlite':
      return sqliteStorage({ database: sqliteDatabase() });
    case 'aiohttp-redis':
      // aiohttp-session's RedisStorage records, read and written as Python does.
      return redisStorage({ client: redisClient(), format: 'aiohttp' });
  }
}

/**
 * A lifetime in whole seconds from the environment (e.g. SESSION_IDLE_TIMEOUT=600),
 * or `fallback` when unset. Anything else fails loudly rather than silently
 * falling back to a longer lifetime.
 */
function secondsFromEnv(name: string, fallback: number): number {
  const raw = (process.env[name] ?? '').trim();
  if (raw === '') return fallback;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < 1) {
    throw new Error(
      `[next-session-kit demo] ${name}="${raw.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}" is not a whole ` +
        'number of seconds (at least 1).',
    );
  }
  return Number(raw);
}

/** The iron-session app this demo pretends to replace: its cookie and what it kept in it. */
const IRON_COOKIE = 'iron-demo';
type IronDemoData = { user?: { id?: string; name?: string } };

/**
 * SESSION_MIGRATE=iron|authjs: users signed in by the app this one replaces stay
 * signed in. `iron` reads iron-session cookies (`iron-demo`, sealed with
 * IRON_SESSION_PASSWORD); `authjs` reads Auth.js v5 JWT session cookies
 * (sealed with AUTH_SECRET). The first response that can write cookies (here
 * the guard in proxy.ts) replaces the old cookie with the kit's.
 */
function migrateFrom(): MigrationSource<DemoData> | undefined {
  const raw = (process.env.SESSION_MIGRATE ?? '').trim().toLowerCase();
  if (raw === '') return undefined;
  if (raw === 'iron') {
    return ironSession<DemoData, IronDemoData>({
      password: process.env.IRON_SESSION_PASSWORD ?? '',
      cookieName: IRON_COOKIE,
      userId: (data) => data.user?.id,
      map: (data) => ({ user: data.user?.name }),
    });
  }
  if (raw === 'authjs') {
    return authjsSession<DemoData>({
      secret: process.env.AUTH_SECRET ?? '',
      map: (token) => ({ user: token.name ?? undefined }),
    });
  }
  throw new Error(
    `[next-session-kit demo] Unknown SESSION_MIGRATE="${raw.replace(/[^\x20-\x7e]/g, '?').slice(0, 40)}". ` +
      'Use iron or authjs (default: none).',
  );
}

const kind = storageKind();
const migrate = migrateFrom();
const aiohttp = kind === 'aiohttp-redis';
// Absolute lifetime, default 14 days. With aiohttp-redis, the Python side's `max_age`: aiohttp-session
// restarts it on every write, so there it already is an idle timeout.
const maxAge = secondsFromEnv('SESSION_MAX_AGE', 60 * 60 * 24 * 14);
// Without activity for this long a session ends (default 1 day, never more than maxAge). The
// aiohttp-session format has no field for it.
const idleTimeout = aiohttp
  ? undefined
  : secondsFromEnv('SESSION_IDLE_TIMEOUT', Math.min(60 * 60 * 24, maxAge));

/**
 * Whether sessions can be bound to a user (`newSession({ userId })`) and carry
 * flash messages: not in aiohttp-session's format, which has no field for them.
 */
export const bindsUsers: boolean = !aiohttp;

/**
 * The active storage, for display: `cookie`, `redis`, `redis-cluster`, `kv`, `memcached`,
 * `postgres`, `sqlite` or `aiohttp-redis`.
 */
export const storageName: string =
  kind === 'redis' && process.env.REDIS_CLUSTER_NODES?.trim() ? 'redis-cluster' : kind;

/**
 * How recent a sign-in /settings needs (seconds, default 5 minutes): older,
 * and the guard and the settings action send the user to /reauth first.
 */
export const settingsFreshSeconds: number = secondsFromEnv('SETTINGS_FRESH_SECONDS', 300);

export const {
  getSession,
  newSession,
  destroySession,
  listUserSessions,
  destroyUserSessions,
  requireFreshSession,
  guard,
  proxySession,
  getClientSession,
  SessionProvider,
  clientSessionHandler,
  pages,
} = createSessionKit<DemoData, DemoFlash, ClientSession>({
  storage: createStorage(kind),
  schema: demoSchema,
  expose: ['user'],
  // useSession() follows the server in every tab: app/api/session/client/route.ts serves the snapshot.
  live: { endpoint: '/api/session/client' },
  // aiohttp-session's default cookie name: both apps must use the same one.
  cookieName: aiohttp ? 'AIOHTTP_SESSION' : 'session',
  maxAge,
  ...(idleTimeout !== undefined && { idleTimeout }),
  ...(migrate !== undefined && { migrateFrom: migrate }),
  // DEMO_CHECKS=1: login, logout, rotate, revoke, invalid and storeError are recorded for /checks/events.
  ...(demoEventHandlers !== undefined && { events: demoEventHandlers }),
  onInvalidSession: (reason, detail) => {
    // Only the reason (and which library's cookie it was): never log cookie values.
    const from = detail === undefined ? '' : ` (${detail.source} cookie)`;
    console.info(`[next-session-kit demo] rejected session cookie: ${reason}${from}`);
  },
});
