import { SessionConfigError } from '../errors.ts';
import { MemoryMaps, memoryAdapter } from './memory/adapter.ts';
import { defineStore } from './store/define-store.ts';
import { resolveKeyPrefix, resolveStoreOptions, type StoreOptions } from './store/store-options.ts';
import type { SessionStorage } from './types.ts';

/**
 * Options of {@link memoryStorage}: those of every store (`timeout`,
 * `touchAfter`, `maxSessionsPerUser`), and `keyPrefix`.
 *
 * @example
 * ```ts
 * const options: MemoryStorageOptions = { maxSessionsPerUser: 3 };
 * ```
 */
export interface MemoryStorageOptions extends StoreOptions {
  /** Prefix of every key (kept for parity with the server stores). Default `sess:`. */
  keyPrefix?: string;
}

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
  return memoryStorageOn(new MemoryMaps(), options);
}

/**
 * {@link memoryStorage} over the given maps (tests read them to see what is stored).
 *
 * @internal
 */
export function memoryStorageOn(maps: MemoryMaps, options: MemoryStorageOptions): SessionStorage {
  const resolved = resolveStoreOptions('memoryStorage', options, ['keyPrefix']);
  return defineStore(memoryAdapter(maps, Date.now, resolveKeyPrefix(options.keyPrefix)), resolved);
}
