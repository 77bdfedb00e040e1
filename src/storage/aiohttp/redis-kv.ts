import type { Cluster, Redis } from 'ioredis';
import type { AiohttpKv } from './store.ts';

/**
 * {@link AiohttpKv} over an ioredis `Redis` or `Cluster`: GET, SET EX (XX for
 * updates) and DEL, one key per command, so no command ever spans slots.
 */
export function redisAiohttpKv(client: Redis | Cluster): AiohttpKv {
  return {
    name: client.isCluster === true ? 'redis-cluster' : 'redis',
    get: (key) => client.get(key),
    async set(key, value, ttlSeconds, onlyIfPresent) {
      const reply = onlyIfPresent
        ? await client.set(key, value, 'EX', ttlSeconds, 'XX')
        : await client.set(key, value, 'EX', ttlSeconds);
      return reply === 'OK';
    },
    async remove(keys) {
      await Promise.all(keys.map((key) => client.del(key)));
    },
  };
}
