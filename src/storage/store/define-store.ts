import { SessionConfigError } from '../../errors.ts';
import { isRecord } from '../../is-object.ts';
import { printable } from '../../printable.ts';
import type { SessionStorage } from '../types.ts';
import type { StoreAdapter } from './adapter.ts';
import { bindStore } from './bound-store.ts';
import { resolveStoreOptions, type StoreOptions } from './store-options.ts';

const METHODS = ['get', 'create', 'update', 'delete', 'takeFlash', 'listByUser'] as const;
const CAPABILITIES = ['atomic', 'touchOnGet'];
const GUIDE = 'see "Write your own store" in docs/stores.md';

/**
 * Turns a {@link StoreAdapter} into a storage for `createSessionKit`: the
 * kit's tokens, hashing, expiry, touch throttling, flash semantics,
 * per-user listing, revocation and `maxSessionsPerUser`, over any store. The
 * adapter and the options are checked here, once.
 *
 * @example
 * ```ts
 * import { createSessionKit } from 'next-session-kit';
 * import { defineStore } from 'next-session-kit/store';
 * import { mapStore } from './map-store';
 *
 * export const { getSession, newSession, listUserSessions, destroyUserSessions } = createSessionKit({
 *   storage: defineStore(mapStore(), { maxSessionsPerUser: 5 }),
 * });
 * ```
 */
export function defineStore(adapter: StoreAdapter, options: StoreOptions = {}): SessionStorage {
  checkAdapter(adapter);
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('defineStore() takes an options object such as { maxSessionsPerUser: 5 }.');
  }
  const resolved = resolveStoreOptions('defineStore', options, []);
  return { name: adapter.name, create: (context) => bindStore(adapter, resolved, context) };
}

function checkAdapter(adapter: StoreAdapter): void {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new SessionConfigError(
      `defineStore() needs a store adapter: an object with a name and ${METHODS.join(', ')} (${GUIDE}).`,
    );
  }
  const { name, capabilities } = adapter;
  if (typeof name !== 'string' || !/^[\x20-\x7e]{1,40}$/.test(name)) {
    throw new SessionConfigError(
      "A store adapter's `name` must be 1 to 40 printable ASCII characters, e.g. 'dynamodb'.",
    );
  }
  const missing = METHODS.filter((method) => typeof adapter[method] !== 'function');
  if (missing.length > 0) {
    throw new SessionConfigError(
      `The store adapter "${name}" lacks ${missing.map((m) => `${m}()`).join(', ')}: ` +
        `a StoreAdapter implements ${METHODS.join(', ')} (${GUIDE}).`,
    );
  }
  if (capabilities === undefined) return;
  if (!isRecord(capabilities)) {
    throw new SessionConfigError(`The store adapter "${name}": \`capabilities\` must be an object.`);
  }
  for (const [key, value] of Object.entries(capabilities)) {
    if (!CAPABILITIES.includes(key) || typeof value !== 'boolean') {
      throw new SessionConfigError(
        `The store adapter "${name}" declares an unknown capability "${printable(key)}" ` +
          `or one that is not true or false; known: ${CAPABILITIES.join(', ')}.`,
      );
    }
  }
}
