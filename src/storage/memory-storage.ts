import { SessionConfigError } from '../errors.ts';
import { MemoryMaps, memoryDriver } from './memory/driver.ts';
import { resolveStoreOptions, type StoreOptions, storeStorage } from './store/store-storage.ts';
import type { SessionStorage } from './types.ts';

/**
 * Options of {@link memoryStorage}: those of every store (`keyPrefix`,
 * `touchAfter`, `maxSessionsPerUser`, `timeout`).
 *
 * @example
 * ```ts
 * const options: MemoryStorageOptions = { maxSessionsPerUser: 3 };
 * ```
 */
export type MemoryStorageOptions = StoreOptions;

const stores = new WeakMap<SessionStorage, MemoryMaps>();

/**
 * Sessions in this process's memory: a store like Redis (opaque token in the
 * cookie, TTLs, idle timeout, per-user listing and revocation, flash taken
 * once) with nothing to run. For local development and tests. Per process:
 * sessions vanish on restart and are not shared between instances or
 * workers, so never use it for a multi-instance production deployment.
 *
 * @example
 * ```ts
 * import { createSessionKit, memoryStorage } from 'next-session-kit';
 * export const { getSession, newSession } = createSessionKit({ storage: memoryStorage() });
 * ```
 */
export function memoryStorage(options: MemoryStorageOptions = {}): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      'memoryStorage() takes an options object such as { maxSessionsPerUser: 5 }.',
    );
  }
  const resolved = resolveStoreOptions('memoryStorage', options, []);
  const maps = new MemoryMaps();
  const storage = storeStorage(memoryDriver(maps, Date.now), resolved);
  stores.set(storage, maps);
  return storage;
}

/**
 * The maps behind a {@link memoryStorage}, for assertions in this package's
 * own tests.
 *
 * @internal
 * @example
 * ```ts
 * memoryMapsOf(storage)?.records.size;
 * ```
 */
export function memoryMapsOf(storage: SessionStorage): MemoryMaps | undefined {
  return stores.get(storage);
}
