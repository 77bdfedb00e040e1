import type { Cluster, Redis } from 'ioredis';
import { SessionConfigError } from '../errors.ts';
import { redisProtocolDriver } from '../storage/redis/driver.ts';
import { ioredisExecutor } from '../storage/redis/ioredis.ts';
import { resolveStoreOptions, type StoreOptions, storeStorage } from '../storage/store/store-storage.ts';
import type { SessionStorage } from '../storage/types.ts';

/**
 * Options of {@link redisStorage}.
 *
 * @example
 * ```ts
 * const options: RedisStorageOptions = { client: new Redis(process.env.REDIS_URL!), keyPrefix: 'myapp:sess:' };
 * ```
 */
export interface RedisStorageOptions extends StoreOptions {
  /** An ioredis `Redis` or `Cluster` you created (and close). */
  client: Redis | Cluster;
}

/**
 * Sessions in Redis through ioredis, single node or Redis Cluster. The cookie
 * holds an opaque 256-bit token; Redis holds a hash per session under the
 * prefix plus SHA-256 of the token, with a TTL equal to its remaining life.
 * One round trip per load and per save; concurrent saves of different keys
 * both survive.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { createSessionKit } from 'next-session-kit';
 * import { redisStorage } from 'next-session-kit/redis';
 *
 * const redis = new Redis(process.env.REDIS_URL!);
 * export const { getSession, newSession, destroySession, listUserSessions, destroyUserSessions } =
 *   createSessionKit({ storage: redisStorage({ client: redis }) });
 * ```
 */
export function redisStorage(options: RedisStorageOptions): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('redisStorage() needs { client }: an ioredis Redis or Cluster instance.');
  }
  const { client } = options;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof (client as Redis).hgetall !== 'function' ||
    typeof (client as Redis).evalsha !== 'function'
  ) {
    throw new SessionConfigError(
      '`client` must be an ioredis client: `new Redis(url)` or `new Cluster(nodes)` from "ioredis".',
    );
  }
  return storeStorage(
    redisProtocolDriver(ioredisExecutor(client)),
    resolveStoreOptions('redisStorage', options, ['client']),
  );
}

export type { StoreOptions } from '../storage/store/store-storage.ts';
