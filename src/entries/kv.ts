import { SessionConfigError } from '../errors.ts';
import { redisAdapter } from '../storage/redis/adapter.ts';
import { type UpstashLikeClient, upstashExecutor } from '../storage/redis/upstash.ts';
import { defineStore } from '../storage/store/define-store.ts';
import { resolveKeyPrefix, resolveStoreOptions, type StoreOptions } from '../storage/store/store-options.ts';
import type { SessionStorage } from '../storage/types.ts';

/**
 * Options of {@link kvStorage}.
 *
 * @example
 * ```ts
 * import { kv } from '@vercel/kv';
 * const options: KvStorageOptions = { client: kv };
 * ```
 */
export interface KvStorageOptions extends StoreOptions {
  /** `kv` / `createClient()` from `@vercel/kv`, or `new Redis()` from `@upstash/redis`. */
  client: UpstashLikeClient;
  /** Prefix of every key the kit writes. Default `sess:`. */
  keyPrefix?: string;
}

/**
 * Sessions in Vercel KV or Upstash Redis over their REST API: works in
 * `proxy.ts`, Route Handlers and on the edge runtime. Same layout and
 * guarantees as `redisStorage()`. Values are stored so that Upstash's
 * automatic JSON deserialization cannot change them.
 *
 * @example
 * ```ts
 * import { kv } from '@vercel/kv';
 * import { createSessionKit } from 'next-session-kit';
 * import { kvStorage } from 'next-session-kit/kv';
 *
 * export const { getSession, newSession } = createSessionKit({ storage: kvStorage({ client: kv }) });
 * ```
 */
export function kvStorage(options: KvStorageOptions): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      'kvStorage() needs { client }: `kv` from "@vercel/kv" or an @upstash/redis client.',
    );
  }
  const { client } = options;
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.hgetall !== 'function' ||
    typeof client.evalsha !== 'function'
  ) {
    throw new SessionConfigError(
      '`client` must be a Vercel KV or Upstash Redis client: `kv` / `createClient()` from "@vercel/kv" ' +
        'or `new Redis({ url, token })` from "@upstash/redis".',
    );
  }
  const resolved = resolveStoreOptions('kvStorage', options, ['client', 'keyPrefix']);
  return defineStore(redisAdapter(upstashExecutor(client), resolveKeyPrefix(options.keyPrefix)), resolved);
}

export type { UpstashLikeClient, UpstashLikePipeline } from '../storage/redis/upstash.ts';
export type { StoreOptions } from '../storage/store/store-options.ts';
