import { defineOwn } from '../../own-property.ts';
import type { IndexEntry, StoreDriver, StoredRecord, StoreWrite } from '../store/driver.ts';
import { decodeWholeRecord, encodeWholeRecord } from '../store/record-codec.ts';
import { enforceSessionLimit } from '../store/session-limit.ts';

// Expired entries are dropped when read, and all of them every so many
// writes, so a long-running dev server does not grow without bound.
const SWEEP_EVERY_WRITES = 1000;

/**
 * The maps a memory store keeps: session records (stored as encoded text, as
 * a real store would, so values are copies and must be JSON) and per-user
 * indexes, each with an absolute expiry in Unix ms.
 *
 * @internal
 * @example
 * ```ts
 * const memory = new MemoryMaps();
 * memory.records.size; // 0
 * ```
 */
export class MemoryMaps {
  readonly records = new Map<string, { text: string; expiresAt: number }>();
  readonly indexes = new Map<string, Map<string, number>>();
  writes = 0;
}

/**
 * A {@link StoreDriver} over in-process maps. Every operation runs without
 * an await between read and write, so it is as atomic as a Redis script:
 * concurrent saves of different keys both survive, and a flash message is
 * taken exactly once. TTLs follow `now` (real time by default, like a store
 * server).
 *
 * @internal
 * @example
 * ```ts
 * const driver = memoryDriver(new MemoryMaps(), Date.now);
 * ```
 */
export function memoryDriver(maps: MemoryMaps, now: () => number): StoreDriver {
  const { records, indexes } = maps;

  const read = (key: string): StoredRecord | null | 'corrupt' => {
    const entry = records.get(key);
    if (entry === undefined) return null;
    if (entry.expiresAt <= now()) {
      records.delete(key);
      return null;
    }
    return decodeWholeRecord(entry.text);
  };
  const put = (key: string, record: StoredRecord, expiresAt: number): void => {
    records.set(key, { text: encodeWholeRecord(record), expiresAt });
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

  const listIndex = async (indexKey: string, at: number): Promise<IndexEntry[]> => {
    const index = indexes.get(indexKey);
    if (index === undefined) return [];
    const entries: IndexEntry[] = [];
    for (const [member, expiresAt] of index) {
      if (expiresAt < at) index.delete(member);
      else entries.push({ member, expiresAt });
    }
    return entries;
  };

  const driver: StoreDriver = {
    name: 'memory',
    mergesKeys: true,
    load: async (key) => read(key),
    loadMany: async (keys) => keys.map(read),

    async save(write: StoreWrite) {
      sweep();
      const saved = apply(write);
      for (const key of write.remove) records.delete(key);
      const { index } = write;
      if (index !== undefined && saved) {
        let entries = indexes.get(index.key);
        if (entries === undefined) {
          entries = new Map();
          indexes.set(index.key, entries);
        }
        for (const member of index.drop) entries.delete(member);
        entries.set(index.member, index.expiresAt);
        if (index.limit !== undefined && entries.size > index.limit) {
          await enforceSessionLimit(driver, index, await listIndex(index.key, index.now));
        }
      }
      return saved;
    },

    async takeFlash(key) {
      const record = read(key);
      const entry = records.get(key);
      if (record === null || record === 'corrupt' || entry === undefined || record.flash === undefined) {
        return {};
      }
      const { flash } = record;
      delete record.flash;
      put(key, record, entry.expiresAt);
      return flash;
    },

    async touch(key, lastActiveAt, expiresAt) {
      const record = read(key);
      if (record === null || record === 'corrupt') return false;
      record.lastActiveAt = lastActiveAt;
      put(key, record, expiresAt);
      return true;
    },

    async remove(keys) {
      for (const key of keys) records.delete(key);
    },

    listIndex,

    async removeFromIndex(indexKey, members) {
      const index = indexes.get(indexKey);
      if (index === undefined) return;
      for (const member of members) index.delete(member);
      if (index.size === 0) indexes.delete(indexKey);
    },
  };

  // create: a new key. merge: the changed keys onto the stored record.
  // replace: the whole record. Neither of the last two brings back a record
  // deleted meanwhile.
  function apply(write: StoreWrite): boolean {
    const { key, record, expiresAt } = write;
    if (write.mode === 'create') {
      put(key, record, expiresAt);
      return true;
    }
    const stored = read(key);
    if (stored === null) return false;
    if (write.mode === 'replace' || stored === 'corrupt') {
      put(key, record, expiresAt);
      return true;
    }
    for (const name of write.changed) {
      if (Object.hasOwn(record.data, name)) defineOwn(stored.data, name, record.data[name]);
      else delete stored.data[name];
    }
    if (record.flash !== undefined) {
      for (const name of write.changedFlash) {
        if (!Object.hasOwn(record.flash, name)) continue;
        stored.flash ??= {};
        defineOwn(stored.flash, name, record.flash[name]);
      }
    }
    stored.lastActiveAt = record.lastActiveAt;
    put(key, stored, expiresAt);
    return true;
  }

  return driver;
}
