import { Redis as UpstashRedis } from '@upstash/redis';
import { createClient } from '@vercel/kv';
import { Cluster, Redis } from 'ioredis';
import memjs from 'memjs';
import { afterAll, inject } from 'vitest';

/**
 * Clients of the real servers from the global setup (test/servers/), closed
 * after the calling test file.
 */
export function serverClients() {
  const servers = inject('servers');
  const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
  const cluster = new Cluster(
    servers.cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
    { redisOptions: { maxRetriesPerRequest: 1 } },
  );
  // The KV client reaches Redis through the REST bridge; `kvBacking` is that Redis.
  const kvBacking = new Redis(servers.kv.redisUrl, { maxRetriesPerRequest: 1 });
  const kv = createClient({ url: servers.kv.url, token: servers.kv.token });
  // The other KV client docs/stores.md names: `new Redis({ url, token })` from @upstash/redis, used directly.
  const upstash = new UpstashRedis({ url: servers.kv.url, token: servers.kv.token, enableTelemetry: false });
  const memcached = memjs.Client.create(servers.memcached.url, { logger: { log: () => {} } });
  afterAll(() => {
    redis.disconnect();
    cluster.disconnect();
    kvBacking.disconnect();
    memcached.close();
  });
  return { redis, cluster, kvBacking, kv, upstash, memcached };
}
