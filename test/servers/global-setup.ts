import type { TestProject } from 'vitest/node';
import { type ClusterNodeAddress, startRedisCluster } from './cluster.ts';
import { startKvBridge } from './kv-bridge.ts';
import { startMemcached } from './memcached.ts';
import { startPostgres } from './postgres.ts';
import { requireBinaries } from './process.ts';
import { startRedis } from './redis.ts';

/**
 * Addresses of the real servers started once per `vitest` run, read in tests with `inject('servers')`.
 *
 * Every test file runs in parallel against these same servers, so tests must:
 * - keep to their own keys, built from `uniquePrefix()` in `isolation.ts` (never FLUSHALL / FLUSHDB);
 * - never stop, pause or fault-inject these shared servers (this process owns them, a test worker cannot
 *   reach them anyway). Outage and fault tests start their own: `startRedis()`, `startMemcached()`,
 *   `startRedisCluster()`, `startPostgres()`, or `startKvBridge({ redisUrl: servers.kv.redisUrl })` for
 *   `setMode()`.
 */
export interface ServerInfo {
  redis: { host: string; port: number; url: string };
  cluster: { nodes: ClusterNodeAddress[] };
  /** `url` is `host:port` as memjs' `Client.create()` takes it. */
  memcached: { host: string; port: number; url: string };
  /** Upstash-REST bridge for `@vercel/kv`'s `createClient({ url, token })`; `redisUrl` is its own backing redis. */
  kv: { url: string; token: string; redisUrl: string };
  /** A private PostgreSQL (user `postgres`, trust auth): give every test its own tables (`uniqueTable()`). */
  postgres: { host: string; port: number; url: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: ServerInfo;
  }
}

interface Stoppable {
  stop(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  requireBinaries('redis-server', 'redis-cli', 'memcached');
  const running: Stoppable[] = [];
  const track = async <T extends Stoppable>(starting: Promise<T>): Promise<T> => {
    const server = await starting;
    running.push(server);
    return server;
  };
  // Newest first, so a bridge goes before the redis behind it.
  const stopRunning = async (): Promise<void> => {
    for (const server of running.splice(0).reverse()) await server.stop().catch(() => {});
  };

  const starting = [
    track(startRedis()),
    track(startRedisCluster(3)),
    track(startMemcached()),
    track(startRedis()).then(async (kvRedis) => ({
      kvRedis,
      bridge: await track(startKvBridge({ redisUrl: kvRedis.url })),
    })),
    track(startPostgres()),
  ] as const;
  // Wait for every start to settle, so a failure cannot leave a half-started server running.
  const failure = (await Promise.allSettled(starting)).find((result) => result.status === 'rejected');
  if (failure) {
    await stopRunning();
    throw failure.reason;
  }
  const [redis, cluster, memcached, { kvRedis, bridge }, postgres] = await Promise.all(starting);

  project.provide('servers', {
    redis: { host: redis.host, port: redis.port, url: redis.url },
    cluster: { nodes: cluster.nodes },
    memcached: { host: memcached.host, port: memcached.port, url: memcached.url },
    kv: { url: bridge.url, token: bridge.token, redisUrl: kvRedis.url },
    postgres: { host: postgres.host, port: postgres.port, url: postgres.url },
  });
  return async () => {
    await bridge.stop();
    await Promise.allSettled([redis, cluster, memcached, kvRedis, postgres].map((server) => server.stop()));
  };
}
