import type { Client } from 'memjs';
import { SessionConfigError } from '../errors.ts';
import { memjsAiohttpKv } from '../storage/aiohttp/memcached-kv.ts';
import { aiohttpStoreStorage, resolveAiohttpStoreOptions } from '../storage/aiohttp/store.ts';
import { memcachedAdapter } from '../storage/memcached/adapter.ts';
import { defineStore } from '../storage/store/define-store.ts';
import { resolveKeyPrefix, resolveStoreOptions, type StoreOptions } from '../storage/store/store-options.ts';
import type { SessionStorage } from '../storage/types.ts';

/**
 * Options of {@link memcachedStorage}.
 *
 * @example
 * ```ts
 * const options: MemcachedStorageOptions = { client: memjs.Client.create(process.env.MEMCACHED_SERVERS) };
 * ```
 */
export interface MemcachedStorageOptions extends StoreOptions {
  /** A memjs client you created (and close). */
  client: Client;
  /** Prefix of every key the kit writes. Default `sess:`. */
  keyPrefix?: string;
  /**
   * `kit` (default): the kit's own records. `aiohttp`: aiohttp-session's
   * `MemcachedStorage` records (key `<cookieName>_<hex id>`, JSON value),
   * shared with a Python app; see docs/aiohttp-session.md.
   */
  format?: 'kit' | 'aiohttp';
}

/**
 * Sessions in Memcached through memjs. Same token scheme and TTLs as the
 * Redis storage; expiries over 30 days are sent as absolute Unix times.
 * Every write that depends on what was read is a compare-and-set (memcached's
 * CAS, sent through memjs' `perform()`): concurrent saves of different keys
 * both survive, an idle refresh or flash take never undoes a save, and the
 * per-user index stays as small as the user's live sessions. A save of a
 * loaded session is one round trip (two more when it changed meanwhile).
 * Limits: two writes of the same key are last-write-wins; a memcached
 * restart or eviction ends sessions (users get a fresh one, never an error).
 *
 * @example
 * ```ts
 * import memjs from 'memjs';
 * import { createSessionKit } from 'next-session-kit';
 * import { memcachedStorage } from 'next-session-kit/memcached';
 *
 * const client = memjs.Client.create(process.env.MEMCACHED_SERVERS ?? '127.0.0.1:11211');
 * export const { getSession, newSession } = createSessionKit({ storage: memcachedStorage({ client }) });
 *
 * // Sharing sessions with a Python aiohttp-session app (MemcachedStorage, max_age=86400):
 * export const shared = createSessionKit({
 *   storage: memcachedStorage({ client, format: 'aiohttp' }),
 *   cookieName: 'AIOHTTP_SESSION',
 *   maxAge: 86400,
 * });
 * ```
 */
export function memcachedStorage(options: MemcachedStorageOptions): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('memcachedStorage() needs { client }: a memjs client.');
  }
  const { client } = options;
  // perform() and incrSeq(): the CAS requests memjs has no command for go through them.
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof client.replace !== 'function' ||
    typeof client.perform !== 'function' ||
    typeof client.incrSeq !== 'function'
  ) {
    throw new SessionConfigError('`client` must be a memjs client: `memjs.Client.create(servers)`.');
  }
  const { format = 'kit' } = options;
  if (format === 'aiohttp') {
    const timeout = resolveAiohttpStoreOptions('memcachedStorage', options);
    return aiohttpStoreStorage(
      memjsAiohttpKv(client, Date.now),
      "memcachedStorage({ format: 'aiohttp' })",
      timeout,
    );
  }
  if (format !== 'kit') throw new SessionConfigError('`format` must be "kit" (default) or "aiohttp".');
  const resolved = resolveStoreOptions('memcachedStorage', options, ['client', 'format', 'keyPrefix']);
  const keyPrefix = resolveKeyPrefix(options.keyPrefix);
  return defineStore(memcachedAdapter(client, Date.now, keyPrefix), resolved);
}

export type { StoreOptions } from '../storage/store/store-options.ts';
