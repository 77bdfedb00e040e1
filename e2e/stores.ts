import { startRedisCluster } from '../test/servers/cluster.ts';
import { DEMO_STORAGES, type DemoStorage, demoEnv, demoSqliteFile } from '../test/servers/demo-storage.ts';
import { startKvBridge } from '../test/servers/kv-bridge.ts';
import { startMemcached as startTestMemcached } from '../test/servers/memcached.ts';
import { startPostgres } from '../test/servers/postgres.ts';
import type { Lifecycle } from '../test/servers/process.ts';
import { startRedis as startTestRedis } from '../test/servers/redis.ts';

/**
 * The storages the demo runs on in these tests (test/servers/demo-storage.ts). `redis-cluster` is a
 * local three-node Redis Cluster; `kv` is the real `@vercel/kv` client against
 * test/servers/kv-bridge.ts, a local stand-in for Upstash's REST API in front of a private
 * redis-server. `postgres` is a private PostgreSQL (test/servers/postgres.ts), `sqlite` a database file
 * in a temporary directory.
 */
export type Storage = DemoStorage;

/** Storages the login / persistence / logout flows run against. */
export const STORAGES = DEMO_STORAGES;

/**
 * A session store for one spec file: a real `redis-server`, Redis Cluster, KV
 * bridge or `memcached` on free loopback ports (nothing persisted), or nothing
 * at all for the cookie storage. `env` is what the demo needs to use it.
 */
export interface StoreServer {
  readonly storage: Storage;
  /** What the demo connects to (the bridge for kv, the first node for a cluster); 0 for the cookie storage. */
  readonly port: number;
  /** SESSION_STORAGE and the connection settings for `startServer({ env })`. */
  readonly env: Record<string, string>;
  /** Stops the store process (SIGTERM, SIGKILL after 3 s). Safe to call twice; its files go when the worker exits. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()); resolves once it answers. */
  restart(): Promise<void>;
}

/**
 * A private redis-server or memcached (test/servers/): stop() kills it, restart() starts it again on the
 * same port, empty (neither persists anything).
 */
function processStore(
  storage: 'redis' | 'memcached',
  server: Lifecycle & { port: number },
  env: Record<string, string>,
): StoreServer {
  return {
    storage,
    port: server.port,
    env,
    stop: () => server.kill(),
    async restart() {
      await server.kill();
      await server.start();
    },
  };
}

async function startRedis(): Promise<StoreServer> {
  const redis = await startTestRedis();
  return processStore('redis', redis, demoEnv.redis(redis.url));
}

async function startMemcached(): Promise<StoreServer> {
  const memcached = await startTestMemcached();
  return processStore('memcached', memcached, demoEnv.memcached(memcached.url));
}

/**
 * Three cluster-enabled redis-servers joined into one cluster (test/servers/cluster.ts). stop() kills
 * every node; restart() starts them again on their ports, from their kept nodes.conf, and waits until
 * the cluster is healthy (the data is gone, as with the single redis-server).
 */
async function startCluster(): Promise<StoreServer> {
  const cluster = await startRedisCluster(3);
  let stopped = false;
  return {
    storage: 'redis-cluster',
    port: cluster.nodes[0]?.port ?? 0,
    env: demoEnv.cluster(cluster.nodes),
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(cluster.servers.map((server) => server.kill()));
    },
    async restart() {
      await Promise.all(cluster.servers.map((server) => server.kill()));
      await Promise.all(cluster.servers.map((server) => server.start()));
      await cluster.waitHealthy();
      stopped = false;
    },
  };
}

/**
 * The KV bridge in this worker, in front of a private redis-server. stop() closes the bridge and
 * kills its redis; restart() brings both back on the same ports, with the same token.
 */
async function startKv(): Promise<StoreServer> {
  const redis = await startTestRedis();
  let bridge: Awaited<ReturnType<typeof startKvBridge>> | undefined = await startKvBridge({
    redisUrl: redis.url,
  });
  const { port, token, url } = bridge;
  return {
    storage: 'kv',
    port,
    env: demoEnv.kv(url, token),
    async stop() {
      const running = bridge;
      bridge = undefined;
      await running?.stop();
      await redis.kill();
    },
    async restart() {
      await bridge?.stop();
      bridge = undefined;
      await redis.kill();
      await redis.start();
      bridge = await startKvBridge({ redisUrl: redis.url, token, port });
    },
  };
}

/**
 * A private PostgreSQL. stop() is a fast shutdown and restart() starts the same cluster again on the
 * same port: unlike the other stores here, every session is still there.
 */
async function startPostgresStore(): Promise<StoreServer> {
  const server = await startPostgres();
  return {
    storage: 'postgres',
    port: server.port,
    env: demoEnv.postgres(server.url),
    // Its data directory is removed when this worker exits (test/servers/cleanup.ts).
    stop: () => server.kill(),
    async restart() {
      await server.kill();
      await server.start();
    },
  };
}

/** A SQLite file in a temporary directory; nothing to stop, and a restart of Next keeps the file. */
function startSqlite(): StoreServer {
  const file = demoSqliteFile('nsk-e2e-sqlite-');
  return {
    storage: 'sqlite',
    port: 0,
    env: file.env,
    stop: file.remove,
    restart: async () => {},
  };
}

/** Starts what `storage` needs: a store process, or nothing for the cookie storage. */
export async function startStore(storage: Storage): Promise<StoreServer> {
  switch (storage) {
    case 'redis':
      return startRedis();
    case 'redis-cluster':
      return startCluster();
    case 'kv':
      return startKv();
    case 'memcached':
      return startMemcached();
    case 'postgres':
      return startPostgresStore();
    case 'sqlite':
      return startSqlite();
    case 'cookie':
      return {
        storage,
        port: 0,
        env: demoEnv.cookie(),
        stop: async () => {},
        restart: async () => {},
      };
  }
}
