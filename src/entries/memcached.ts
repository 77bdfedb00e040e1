import type { Client } from 'memjs';
import { SessionConfigError } from '../errors.ts';
import { memcachedDriver } from '../storage/memcached/driver.ts';
import { resolveStoreOptions, type StoreOptions, storeStorage } from '../storage/store/store-storage.ts';
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
}

/**
 * Sessions in Memcached through memjs. Same token scheme and TTLs as the
 * Redis storage; expiries over 30 days are sent as absolute Unix times.
 * Limits: memjs has no CAS, so two concurrent saves of one session are
 * last-write-wins; and a memcached restart or eviction ends sessions (users
 * get a fresh one, never an error).
 *
 * @example
 * ```ts
 * import memjs from 'memjs';
 * import { createSessionKit } from 'next-session-kit';
 * import { memcachedStorage } from 'next-session-kit/memcached';
 *
 * const client = memjs.Client.create(process.env.MEMCACHED_SERVERS ?? '127.0.0.1:11211');
 * export const { getSession, newSession } = createSessionKit({ storage: memcachedStorage({ client }) });
 * ```
 */
export function memcachedStorage(options: MemcachedStorageOptions): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('memcachedStorage() needs { client }: a memjs client.');
  }
  const { client } = options;
  if (typeof client !== 'object' || client === null || typeof client.replace !== 'function') {
    throw new SessionConfigError('`client` must be a memjs client: `memjs.Client.create(servers)`.');
  }
  const resolved = resolveStoreOptions('memcachedStorage', options, ['client']);
  return storeStorage(memcachedDriver(client, Date.now), resolved);
}

export type { StoreOptions } from '../storage/store/store-storage.ts';
