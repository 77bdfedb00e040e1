// The kit's own stores through the public conformance suite, exactly as a
// user runs it for theirs: real Redis, Redis Cluster, the Vercel KV client
// and @upstash/redis over the REST bridge, Memcached, and memory.
import type { Cluster, Redis } from 'ioredis';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { describeStoreAdapter } from '../../entries/testing/vitest.ts';
import { serverClients } from '../../test-utils/clients.ts';
import { memcachedAdapter } from '../memcached/adapter.ts';
import { MemoryMaps, memoryAdapter } from '../memory/adapter.ts';
import { redisAdapter } from '../redis/adapter.ts';
import { ioredisExecutor } from '../redis/ioredis.ts';
import { upstashExecutor } from '../redis/upstash.ts';
import type { StoreAdapter } from './adapter.ts';

const { redis, cluster, kvBacking, kv, upstash, memcached } = serverClients();

// Each case gets its own key prefix; corrupting a record needs to know it.
const prefixes = new WeakMap<StoreAdapter, string>();
function withPrefix(name: string, make: (prefix: string) => StoreAdapter): () => StoreAdapter {
  return () => {
    const prefix = uniquePrefix(name);
    const adapter = make(prefix);
    prefixes.set(adapter, prefix);
    return adapter;
  };
}
const recordKey = (adapter: StoreAdapter, key: string) => `${prefixes.get(adapter)}s:${key}`;
const BIG = { keys: 10_000, sessions: 10_000 };

for (const [name, client, raw] of [
  ['redis', redis, redis],
  ['redis-cluster', cluster, cluster],
  ['kv', kv, kvBacking],
  ['kv (@upstash/redis)', upstash, kvBacking],
] as const) {
  const exec =
    client === kv || client === upstash
      ? upstashExecutor(client)
      : ioredisExecutor(client as Redis | Cluster);
  describeStoreAdapter(
    name,
    withPrefix(name, (prefix) => redisAdapter(exec, prefix)),
    {
      expiry: 'server',
      large: BIG,
      corrupt: async (adapter, key) => {
        await raw.hset(recordKey(adapter, key), '_id', 'not-json');
      },
    },
  );
}

describeStoreAdapter(
  'memcached',
  withPrefix('mc', (prefix) => memcachedAdapter(memcached, Date.now, prefix)),
  {
    expiry: 'server',
    // One value per session and per index: within memcached's 1 MB item size.
    large: { keys: 2000, sessions: 2000 },
    corrupt: async (adapter, key) => {
      await memcached.set(recordKey(adapter, key), 'garbage', { expires: 60 });
    },
  },
);

const memoryMaps = new WeakMap<StoreAdapter, MemoryMaps>();
describeStoreAdapter(
  'memory',
  ({ now }) => {
    const maps = new MemoryMaps();
    const adapter = withPrefix('mem', (prefix) => memoryAdapter(maps, now, prefix))();
    memoryMaps.set(adapter, maps);
    return adapter;
  },
  {
    large: BIG,
    corrupt: async (adapter, key) => {
      const entry = memoryMaps.get(adapter)?.records.get(recordKey(adapter, key));
      if (entry !== undefined) entry.text = 'garbage';
    },
  },
);
