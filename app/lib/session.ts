import 'server-only';
import { createClient, type VercelKV } from '@vercel/kv';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import memjs from 'memjs';
import { createSessionKit, encryptedCookieStorage, type SessionStorage } from 'next-session-kit';
import { kvStorage } from 'next-session-kit/kv';
import { memcachedStorage } from 'next-session-kit/memcached';
import { redisStorage } from 'next-session-kit/redis';

/** What the demo keeps in its session. */
export type DemoData = {
  user?: string;
  count?: number;
  /** Second counter of /api/load: two parallel requests of one client change different keys. */
  count2?: number;
};

/** Flash messages: shown once, on the next page. */
export type DemoFlash = { notice?: string };

/** Where sessions live, from SESSION_STORAGE. */
export type StorageKind = 'cookie' | 'redis' | 'kv' | 'memcached';
const STORAGE_KINDS: readonly StorageKind[] = ['cookie', 'redis', 'kv', 'memcached'];

/**
 * Fixed key for local development only. Anyone who reads this file can forge
 * sessions sealed with it, so it is never a substitute for SESSION_SECRET.
 */
const DEV_ONLY_INSECURE_SECRET = 'dev-only-insecure-next-session-kit-demo-secret-0000';

const WARNED = Symbol.for('next-session-kit-demo.missing-secret-warned');
const CLIENTS = Symbol.for('next-session-kit-demo.store-clients');

/**
 * Reads SESSION_SECRET: one secret, or a comma-separated list `new,old` for
 * key rotation (the first seals, all of them open).
 */
function sessionSecret(): string | string[] {
  const secrets = (process.env.SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (secrets.length === 1) return secrets[0] as string;
  if (secrets.length > 1) return secrets;

  // Warn once per process, even if Next loads this module in several bundles.
  // Not while `next build` collects page data: build machines rarely hold secrets.
  const flags = globalThis as { [WARNED]?: boolean };
  if (!flags[WARNED] && process.env.NEXT_PHASE !== 'phase-production-build') {
    flags[WARNED] = true;
    const production = process.env.NODE_ENV === 'production';
    console.warn(
      [
        production
          ? '!!! [next-session-kit demo] SESSION_SECRET is not set IN PRODUCTION. !!!'
          : '[next-session-kit demo] SESSION_SECRET is not set.',
        'Using a built-in development key: sessions are NOT secure (anyone can forge them).',
        'Generate a secret with `npx next-session-kit secret` and set SESSION_SECRET=<secret>',
        '(for key rotation: SESSION_SECRET=<new>,<old>).',
      ].join('\n'),
    );
  }
  return DEV_ONLY_INSECURE_SECRET;
}

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
type Clients = { redis?: Redis | Cluster; kv?: VercelKV; memcached?: memjs.Client };
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

function createStorage(kind: StorageKind): SessionStorage {
  switch (kind) {
    case 'cookie':
      // Only the cookie storage seals with SESSION_SECRET; stores keep data server-side.
      return encryptedCookieStorage({ secret: sessionSecret() });
    case 'redis':
      return redisStorage({ client: redisClient() });
    case 'kv':
      return kvStorage({ client: kvClient() });
    case 'memcached':
      return memcachedStorage({ client: memcachedClient() });
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

const kind = storageKind();
const maxAge = secondsFromEnv('SESSION_MAX_AGE', 60 * 60 * 24 * 14); // absolute lifetime, default 14 days
// Without activity for this long a session ends (default 1 day, never more than maxAge).
const idleTimeout = secondsFromEnv('SESSION_IDLE_TIMEOUT', Math.min(60 * 60 * 24, maxAge));

/** The active storage, for display: `cookie`, `redis`, `redis-cluster`, `kv` or `memcached`. */
export const storageName: string =
  kind === 'redis' && process.env.REDIS_CLUSTER_NODES?.trim() ? 'redis-cluster' : kind;

export const {
  getSession,
  newSession,
  destroySession,
  listUserSessions,
  destroyUserSessions,
  guard,
  proxySession,
} = createSessionKit<DemoData, DemoFlash>({
  storage: createStorage(kind),
  cookieName: 'session',
  maxAge,
  idleTimeout,
  onInvalidSession: (reason) => {
    // Only the reason: never log cookie values.
    console.info(`[next-session-kit demo] rejected session cookie: ${reason}`);
  },
});
