import type { StoreAdapter, StoredSession, StoredSessionEntry } from '../store/adapter.ts';
import { decodeStoredSession, encodeStoredSession } from '../store/record-codec.ts';
import { applySessionChange } from '../store/session-change.ts';

// Expired entries are dropped when read, and all of them every so many
// writes, so a long-running dev server does not grow without bound.
const SWEEP_EVERY_WRITES = 1000;

/**
 * The maps a memory store keeps: session records (stored as encoded text, as
 * a real store would, so values are copies and must be JSON) and per-user
 * indexes, each with an absolute expiry in Unix ms.
 *
 * @internal
 */
export class MemoryMaps {
  /** Tells these maps from any other (see StoreAdapter.namespace). */
  readonly id = crypto.randomUUID();
  readonly records = new Map<string, { text: string; expiresAt: number }>();
  readonly indexes = new Map<string, Map<string, number>>();
  writes = 0;
}

/**
 * A store adapter over in-process maps. Every operation runs without an
 * await between read and write, so it is as atomic as a Redis script:
 * concurrent saves of different keys both survive, and a flash message is
 * taken exactly once. TTLs follow `now` (real time by default, like a store
 * server).
 *
 * @internal
 */
export function memoryAdapter(maps: MemoryMaps, now: () => number, keyPrefix: string): StoreAdapter {
  const { records, indexes } = maps;
  const sessionKey = (key: string) => `${keyPrefix}s:${key}`;
  const indexKey = (userId: string) => `${keyPrefix}u:${userId}`;

  // `null`: nothing (or expired); `undefined`: not a session.
  const read = (key: string): { session: StoredSession | undefined; expiresAt: number } | null => {
    const entry = records.get(sessionKey(key));
    if (entry === undefined) return null;
    if (entry.expiresAt <= now()) {
      records.delete(sessionKey(key));
      return null;
    }
    return { session: decodeStoredSession(entry.text), expiresAt: entry.expiresAt };
  };
  const put = (key: string, session: StoredSession, expiresAt: number): void => {
    records.set(sessionKey(key), { text: encodeStoredSession(session), expiresAt });
  };
  const sweep = (): void => {
    if (++maps.writes % SWEEP_EVERY_WRITES !== 0) return;
    const at = now();
    for (const [key, entry] of records) if (entry.expiresAt <= at) records.delete(key);
    for (const [key, index] of indexes) {
      for (const [member, expiresAt] of index) if (expiresAt <= at) index.delete(member);
      if (index.size === 0) indexes.delete(key);
    }
  };

  return {
    name: 'memory',
    // In this module's memory: maps of their own are another store, whatever the prefix.
    namespace: `${keyPrefix}\0${maps.id}`,
    capabilities: { atomic: true },

    get: async (key) => {
      const found = read(key);
      return found === null ? null : found.session;
    },

    async create(key, session, { until, expiresAt, replaces }) {
      sweep();
      for (const old of replaces) records.delete(sessionKey(old));
      put(key, session, until);
      if (session.userId === undefined) return;
      let index = indexes.get(indexKey(session.userId));
      if (index === undefined) {
        index = new Map();
        indexes.set(indexKey(session.userId), index);
      }
      for (const old of replaces) index.delete(old);
      index.set(key, expiresAt);
      return { userSessions: index.size };
    },

    async update(key, change) {
      sweep();
      const found = read(key);
      if (found === null) return false;
      // A record that cannot be read is overwritten by a save, never merged into.
      const next = found.session === undefined ? change.session : applySessionChange(found.session, change);
      if (next === undefined) return false;
      put(key, next, change.until);
      return true;
    },

    async delete(keys, userId) {
      for (const key of keys) records.delete(sessionKey(key));
      const index = userId === undefined ? undefined : indexes.get(indexKey(userId));
      if (index === undefined || userId === undefined) return;
      for (const key of keys) index.delete(key);
      if (index.size === 0) indexes.delete(indexKey(userId));
    },

    async takeFlash(key) {
      const found = read(key);
      const flash = found?.session?.flash;
      if (found === null || found.session === undefined || flash === undefined) return {};
      const { flash: _, ...rest } = found.session;
      put(key, rest, found.expiresAt);
      return flash;
    },

    async listByUser(userId) {
      const index = indexes.get(indexKey(userId));
      const found: StoredSessionEntry[] = [];
      if (index === undefined) return found;
      const at = now();
      for (const [key, expiresAt] of index) {
        const session = expiresAt < at ? undefined : read(key)?.session;
        if (session?.userId === userId) found.push({ key, session });
        else index.delete(key);
      }
      return found;
    },
  };
}
