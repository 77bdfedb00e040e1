import type { Cluster, Redis } from 'ioredis';
import { SessionConfigError } from '../errors.ts';
import { redisAiohttpKv } from '../storage/aiohttp/redis-kv.ts';
import { aiohttpStoreStorage, resolveAiohttpStoreOptions } from '../storage/aiohttp/store.ts';
import { redisAdapter } from '../storage/redis/adapter.ts';
import { ioredisExecutor } from '../storage/redis/ioredis.ts';
import { defineStore } from '../storage/store/define-store.ts';
import { resolveKeyPrefix, resolveStoreOptions, type StoreOptions } from '../storage/store/store-options.ts';
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
  /** Prefix of every key the kit writes. Default `sess:`. */
  keyPrefix?: string;
  /**
   * `kit` (default): the kit's own records. `aiohttp`: aiohttp-session's
   * `RedisStorage` records (key `<cookieName>_<hex id>`, JSON value), shared
   * with a Python app; see docs/aiohttp-session.md for its limits.
   */
  format?: 'kit' | 'aiohttp';
}

/**
 * Sessions in Redis through ioredis, single node or Redis Cluster. The cookie
 * holds an opaque 256-bit token; Redis holds a hash per session under the
 * prefix plus SHA-256 of the token, with a TTL equal to its remaining life.
 * One round trip per load (two when it refreshes the idle TTL) and per save;
 * concurrent saves of different keys both survive.
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
 *
 * // Sharing sessions with a Python aiohttp-session app (RedisStorage, max_age=86400):
 * export const shared = createSessionKit({
 *   storage: redisStorage({ client: redis, format: 'aiohttp' }),
 *   cookieName: 'AIOHTTP_SESSION',
 *   maxAge: 86400,
 * });
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
  const { format = 'kit' } = options;
  if (format === 'aiohttp') {
    const timeout = resolveAiohttpStoreOptions('redisStorage', options);
    return aiohttpStoreStorage(redisAiohttpKv(client), "redisStorage({ format: 'aiohttp' })", timeout);
  }
  if (format !== 'kit') throw new SessionConfigError('`format` must be "kit" (default) or "aiohttp".');
  const resolved = resolveStoreOptions('redisStorage', options, ['client', 'format', 'keyPrefix']);
  return defineStore(redisAdapter(ioredisExecutor(client), resolveKeyPrefix(options.keyPrefix)), resolved);
}

export type { StoreOptions } from '../storage/store/store-options.ts';
