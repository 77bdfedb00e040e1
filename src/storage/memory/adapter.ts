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
  const memory: Memory = { maps, now, keyPrefix };
  const { records, indexes } = maps;
  return {
    name: 'memory',
    // In this module's memory: maps of their own are another store, whatever the prefix.
    namespace: `${keyPrefix}\0${maps.id}`,
    capabilities: { atomic: true },

    get: async (key) => {
      const found = read(memory, key);
      return found === null ? null : found.session;
    },

    async create(key, session, { until, expiresAt, replaces }) {
      sweep(memory);
      for (const old of replaces) records.delete(sessionKey(memory, old));
      put(memory, key, session, until);
      if (session.userId === undefined) return;
      const index = userIndex(memory, session.userId);
      for (const old of replaces) index.delete(old);
      index.set(key, expiresAt);
      return { userSessions: index.size };
    },

    async update(key, change) {
      sweep(memory);
      const found = read(memory, key);
      if (found === null) return false;
      // A record that cannot be read is overwritten by a save, never merged into.
      const next = found.session === undefined ? change.session : applySessionChange(found.session, change);
      if (next === undefined) return false;
      put(memory, key, next, change.until);
      return true;
    },

    async delete(keys, userId) {
      for (const key of keys) records.delete(sessionKey(memory, key));
      const index = userId === undefined ? undefined : indexes.get(indexKey(memory, userId));
      if (index === undefined || userId === undefined) return;
      for (const key of keys) index.delete(key);
      if (index.size === 0) indexes.delete(indexKey(memory, userId));
    },

    async takeFlash(key) {
      const found = read(memory, key);
      const flash = found?.session?.flash;
      if (found === null || found.session === undefined || flash === undefined) return {};
      const { flash: _, ...rest } = found.session;
      put(memory, key, rest, found.expiresAt);
      return flash;
    },

    listByUser: async (userId) => listByUser(memory, userId),
  };
}

// One adapter's view of the maps: its clock and its key prefix.
interface Memory {
  readonly maps: MemoryMaps;
  readonly now: () => number;
  readonly keyPrefix: string;
}

const sessionKey = (memory: Memory, key: string) => `${memory.keyPrefix}s:${key}`;
const indexKey = (memory: Memory, userId: string) => `${memory.keyPrefix}u:${userId}`;

// `null`: nothing (or expired); `undefined`: not a session.
function read(memory: Memory, key: string): { session: StoredSession | undefined; expiresAt: number } | null {
  const { records } = memory.maps;
  const entry = records.get(sessionKey(memory, key));
  if (entry === undefined) return null;
  if (entry.expiresAt <= memory.now()) {
    records.delete(sessionKey(memory, key));
    return null;
  }
  return { session: decodeStoredSession(entry.text), expiresAt: entry.expiresAt };
}

function put(memory: Memory, key: string, session: StoredSession, expiresAt: number): void {
  memory.maps.records.set(sessionKey(memory, key), { text: encodeStoredSession(session), expiresAt });
}

function sweep(memory: Memory): void {
  const { maps } = memory;
  if (++maps.writes % SWEEP_EVERY_WRITES !== 0) return;
  const at = memory.now();
  for (const [key, entry] of maps.records) if (entry.expiresAt <= at) maps.records.delete(key);
  for (const [key, index] of maps.indexes) {
    for (const [member, expiresAt] of index) if (expiresAt <= at) index.delete(member);
    if (index.size === 0) maps.indexes.delete(key);
  }
}

// The user's index (session key → expiry), created if missing.
function userIndex(memory: Memory, userId: string): Map<string, number> {
  const { indexes } = memory.maps;
  let index = indexes.get(indexKey(memory, userId));
  if (index === undefined) {
    index = new Map();
    indexes.set(indexKey(memory, userId), index);
  }
  return index;
}

function listByUser(memory: Memory, userId: string): StoredSessionEntry[] {
  const index = memory.maps.indexes.get(indexKey(memory, userId));
  const found: StoredSessionEntry[] = [];
  if (index === undefined) return found;
  const at = memory.now();
  for (const [key, expiresAt] of index) {
    const session = expiresAt < at ? undefined : read(memory, key)?.session;
    if (session?.userId === userId) found.push({ key, session });
    else index.delete(key);
  }
  return found;
}
