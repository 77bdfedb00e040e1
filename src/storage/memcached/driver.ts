import type { Client } from 'memjs';
import type { IndexEntry, StoreDriver, StoredRecord, StoreWrite } from '../store/driver.ts';
import { decodeWholeRecord, encodeWholeRecord } from '../store/record-codec.ts';
import { enforceSessionLimit } from '../store/session-limit.ts';

// Memcached reads an expiry above 30 days as an absolute Unix time.
const RELATIVE_LIMIT_S = 60 * 60 * 24 * 30;

/**
 * Memcached's `exptime` for an absolute expiry: seconds from now up to 30
 * days, an absolute Unix time beyond (a relative value over 30 days would be
 * read as a date in 1970 and expire at once).
 *
 * @example
 * ```ts
 * memcachedExpiry(Date.now() + 60_000, Date.now()); // 60
 * ```
 */
export function memcachedExpiry(expiresAt: number, now: number): number {
  const seconds = Math.max(1, Math.ceil((expiresAt - now) / 1000));
  return seconds <= RELATIVE_LIMIT_S ? seconds : Math.ceil(expiresAt / 1000);
}

/**
 * A {@link StoreDriver} over memjs. Memcached has no hashes, scripts or (in
 * memjs) CAS, so a session is one JSON value and a save replaces it whole:
 * two concurrent saves of one session are last-write-wins. `replace` (store
 * only if present) keeps a session deleted meanwhile from coming back; the
 * per-user index is an append-only list that expires with its newest session.
 *
 * @example
 * ```ts
 * const driver = memcachedDriver(memjs.Client.create('127.0.0.1:11211'), Date.now);
 * ```
 */
export function memcachedDriver(client: Client, now: () => number): StoreDriver {
  const load = async (key: string): Promise<StoredRecord | null | 'corrupt'> => {
    const { value } = await client.get(key);
    if (value === null || value === undefined) return null;
    return decodeWholeRecord(value.toString('utf8'));
  };

  const driver: StoreDriver = {
    name: 'memcached',
    mergesKeys: false,
    load,
    loadMany: (keys) => Promise.all(keys.map(load)),

    async save(write: StoreWrite) {
      const expires = memcachedExpiry(write.expiresAt, now());
      const value = encodeWholeRecord(write.record);
      const stored =
        write.mode === 'create'
          ? client.set(write.key, value, { expires })
          : client.replace(write.key, value, { expires });
      const work: Array<Promise<unknown>> = [stored, ...write.remove.map((key) => client.delete(key))];
      const { index } = write;
      if (index !== undefined) work.push(appendIndex(client, index, now()));
      const [ok] = await Promise.all(work);
      if (ok === true && index?.limit !== undefined) {
        // Appends report no length: reading the list back is one more round
        // trip, paid only by logins with a limit set. Lines of ended sessions
        // stay (no CAS to rewrite the list); the limit counts live records only.
        const entries = await driver.listIndex(index.key, now());
        if (entries.length > index.limit) await enforceSessionLimit(driver, index, entries);
      }
      return ok === true;
    },

    async takeFlash(key, expiresAt) {
      // No CAS in memjs: a racing save may briefly re-add what was taken.
      const record = await load(key);
      if (record === null || record === 'corrupt' || record.flash === undefined) return {};
      const { flash } = record;
      delete record.flash;
      await client.replace(key, encodeWholeRecord(record), { expires: memcachedExpiry(expiresAt, now()) });
      return flash;
    },

    async touch(key, lastActiveAt, expiresAt) {
      // No partial updates in memcached: rewrite the record (throttled by touchAfter).
      const record = await load(key);
      if (record === null || record === 'corrupt') return false;
      record.lastActiveAt = lastActiveAt;
      return client.replace(key, encodeWholeRecord(record), { expires: memcachedExpiry(expiresAt, now()) });
    },

    async remove(keys) {
      await Promise.all(keys.map((key) => client.delete(key)));
    },

    async listIndex(indexKey, at): Promise<IndexEntry[]> {
      const { value } = await client.get(indexKey);
      if (value === null || value === undefined) return [];
      const entries = new Map<string, number>();
      for (const line of value.toString('utf8').split('\n')) {
        const [member, score] = line.split(' ');
        const expiresAt = Number(score);
        if (member && Number.isFinite(expiresAt) && expiresAt >= at) entries.set(member, expiresAt);
      }
      return [...entries].map(([member, expiresAt]) => ({ member, expiresAt }));
    },

    // Entries of deleted sessions stay until the index expires; listings skip
    // them because their records are gone. Rewriting the list without CAS
    // could drop a concurrent login.
    async removeFromIndex() {},
  };
  return driver;
}

async function appendIndex(
  client: Client,
  index: NonNullable<StoreWrite['index']>,
  now: number,
): Promise<void> {
  const line = `${index.member} ${index.expiresAt}\n`;
  const expires = memcachedExpiry(index.expiresAt, now);
  // add-then-append: each is atomic in memcached; between them the list may
  // have expired, in which case the second add creates it again.
  let indexed = false;
  for (let attempt = 0; attempt < 3 && !indexed; attempt++) {
    indexed =
      (await client.add(index.key, line, { expires })) || (await appendIfPresent(client, index.key, line));
  }
  // A session missing from its user's index could not be signed out by
  // destroyUserSessions(): fail the save (SessionStoreError) rather than hide it.
  if (!indexed) throw new Error('the user index kept changing between add and append');
  // Entries are absolute expiries and grow with time, so the newest one
  // bounds the whole list.
  await client.touch(index.key, expires);
}

// memjs reports APPEND to a missing key as an error ("Item not stored").
async function appendIfPresent(client: Client, key: string, value: string): Promise<boolean> {
  try {
    return await client.append(key, value);
  } catch (error) {
    if (error instanceof Error && /not stored/i.test(error.message)) return false;
    throw error;
  }
}
