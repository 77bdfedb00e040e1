import type { Client } from 'memjs';
import { SessionStoreError } from '../../errors.ts';
import { defineOwn } from '../../own-property.ts';
import type { SessionData } from '../../types.ts';
import type { IndexEntry, IndexWrite, StoreDriver, StoredRecord, StoreWrite } from '../store/driver.ts';
import { decodeWholeRecord, encodeWholeRecord } from '../store/record-codec.ts';
import { enforceSessionLimit } from '../store/session-limit.ts';
import { memcachedOps } from './protocol.ts';
import { addToIndex, listIndex, removeFromIndex } from './user-index.ts';

// Memcached reads an expiry above 30 days as an absolute Unix time.
const RELATIVE_LIMIT_S = 60 * 60 * 24 * 30;
// Compare-and-set attempts of one save, touch or flash take before it gives
// up: each failed attempt means another write to the same session succeeded.
const ATTEMPTS = 8;

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
 * A {@link StoreDriver} over memjs. A session is one value (the whole
 * record); every write that depends on what was read is a compare-and-set
 * (memcached's CAS, sent through memjs' `perform()` since memjs exposes no
 * `gets`/`cas`), so nothing written meanwhile is ever overwritten:
 *
 * - A save of a loaded session sends the whole record, conditional on the
 *   CAS its load saw: one round trip. If the session changed meanwhile,
 *   it reads the record again and writes just its changed keys onto it
 *   (two more round trips, repeated while writes keep racing): concurrent
 *   saves of different keys both survive; of the same key, the last wins.
 *   A save never recreates a session deleted meanwhile.
 * - The idle refresh (`touch`) and taking flash messages read the record
 *   and write it back only if unchanged, retrying on a newer save: they
 *   never undo one, and a flash message is taken exactly once.
 * - The per-user index is one value of `<member> <expiry>` lines, added to
 *   atomically and compacted as logins go (see `user-index.ts`), so it stays
 *   as small as the user's live sessions.
 *
 * @example
 * ```ts
 * const driver = memcachedDriver(memjs.Client.create('127.0.0.1:11211'), Date.now);
 * ```
 */
export function memcachedDriver(client: Client, now: () => number): StoreDriver {
  const ops = memcachedOps(client);
  const expiry = (expiresAt: number) => memcachedExpiry(expiresAt, now());
  // The CAS each loaded (or saved) record was read with, by record object:
  // the engine saves the very object it loaded, so its save can be
  // conditional on it without a read. A record not found here is read again.
  const casOf = new WeakMap<StoredRecord, bigint>();

  const read = async (key: string) => {
    const found = await ops.get(key);
    if (found === null) return null;
    const record = decodeWholeRecord(new TextDecoder().decode(found.value));
    return { record, cas: found.cas };
  };
  const load = async (key: string): Promise<StoredRecord | null | 'corrupt'> => {
    const found = await read(key);
    if (found === null) return null;
    if (found.record !== 'corrupt') casOf.set(found.record, found.cas);
    return found.record;
  };
  const alive = async (members: readonly string[], index: IndexWrite): Promise<boolean[]> => {
    const records = await Promise.all(members.map((member) => read(index.sessionPrefix + member)));
    return records.map(
      (found) => found !== null && found.record !== 'corrupt' && found.record.userId === index.userId,
    );
  };

  // Writes `record` whole over the stored one if it is still at `cas`.
  const put = async (key: string, record: StoredRecord, expiresAt: number, cas: bigint) => {
    const value = encodeWholeRecord(record);
    const { status, cas: next } = await ops.store('set', key, value, expiry(expiresAt), cas);
    if (status === 'too-large') throw tooLarge(value);
    return { status, cas: next };
  };

  // Reads the record, lets `change` decide, and writes the result back only
  // if nothing was written meanwhile; otherwise starts over with what is there.
  const update = async <T>(
    key: string,
    change: (record: StoredRecord | 'corrupt') => Change<T>,
    gone: T,
    busy: () => T,
  ): Promise<T> => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const found = await read(key);
      if (found === null) return gone;
      const outcome = change(found.record);
      if (outcome.write === undefined) return outcome.result;
      const { status } = await put(key, outcome.write, outcome.expiresAt, found.cas);
      if (status === 'stored') return outcome.result;
      if (status === 'missing') return gone;
    }
    return busy();
  };

  const save = async (write: StoreWrite): Promise<boolean> => {
    const { key, record, expiresAt } = write;
    if (write.mode !== 'merge') {
      const value = encodeWholeRecord(record);
      const stored = await ops.store(
        write.mode === 'create' ? 'set' : 'replace',
        key,
        value,
        expiry(expiresAt),
      );
      if (stored.status === 'too-large') throw tooLarge(value);
      if (stored.status !== 'stored') return false;
      casOf.set(record, stored.cas);
      return true;
    }
    const loaded = casOf.get(record);
    if (loaded !== undefined) {
      // The usual case: nothing else wrote since this request loaded it.
      const { status, cas } = await put(key, record, expiresAt, loaded);
      if (status === 'stored') {
        casOf.set(record, cas);
        return true;
      }
      if (status === 'missing') return false;
    }
    // The record moved on (or was not loaded here): apply the changed keys
    // to what is there now. `record` no longer mirrors the stored value.
    casOf.delete(record);
    return update(
      key,
      (stored) => ({ write: stored === 'corrupt' ? record : merged(stored, write), expiresAt, result: true }),
      false,
      () => {
        throw busy('save');
      },
    );
  };

  const driver: StoreDriver = {
    name: 'memcached',
    mergesKeys: true,
    load,
    loadMany: (keys) => Promise.all(keys.map(load)),

    async save(write: StoreWrite) {
      const { index } = write;
      if (index === undefined) {
        const [ok] = await Promise.all([
          save(write),
          Promise.all(write.remove.map((key) => ops.remove(key))),
        ]);
        return ok;
      }
      // The record (and the deletes of the sessions it replaces) first, the
      // index line after: a line is only ever listed once its record exists,
      // so a login that reads the index, and then the records, never takes a
      // concurrent login for an ended one (see enforceSessionLimit).
      const [stored, removed] = await Promise.allSettled([
        save(write),
        Promise.all(write.remove.map((key) => ops.remove(key))),
      ]);
      const indexed: PromiseSettledResult<IndexEntry[] | undefined> =
        stored.status === 'fulfilled' && stored.value && removed.status === 'fulfilled'
          ? await addToIndex({ ops, alive, expiry }, index).then(
              (value) => ({ status: 'fulfilled', value }) as const,
              (reason: unknown) => ({ status: 'rejected', reason }) as const,
            )
          : { status: 'fulfilled', value: undefined };
      if (stored.status === 'rejected' || removed.status === 'rejected' || indexed.status === 'rejected') {
        // A login that fails leaves no session behind: unindexed, it could
        // not be signed out with the user's others (and no cookie names it).
        await ops.remove(write.key).catch(() => {});
        const failed = [stored, removed, indexed].find((outcome) => outcome.status === 'rejected');
        throw (failed as PromiseRejectedResult).reason;
      }
      const ok = stored.value;
      const entries = indexed.value;
      if (ok && index.limit !== undefined) {
        // After an append the index is read back, so that of two concurrent
        // logins at least one sees the other.
        const listed = entries ?? (await listIndex(ops, index.key, index.now));
        if (listed.length > index.limit) await enforceSessionLimit(driver, index, listed);
      }
      return ok;
    },

    takeFlash(key, expiresAt) {
      return update<SessionData>(
        key,
        (record) => {
          if (record === 'corrupt' || record.flash === undefined) return { result: {} };
          const rest = { ...record };
          delete rest.flash;
          return { write: rest, expiresAt, result: record.flash };
        },
        {},
        // Still pending: a later request shows it.
        () => ({}),
      );
    },

    touch(key, lastActiveAt, expiresAt) {
      return update<boolean>(
        key,
        (record) => {
          if (record === 'corrupt') return { result: false };
          // A save or touch at least as recent already moved the clock and the TTL.
          if (record.lastActiveAt >= lastActiveAt) return { result: true };
          return { write: { ...record, lastActiveAt }, expiresAt, result: true };
        },
        false,
        // Every attempt lost to another write of this session, each of
        // which refreshed it too.
        () => true,
      );
    },

    async remove(keys) {
      await Promise.all(keys.map((key) => ops.remove(key)));
    },

    listIndex: (indexKey, at) => listIndex(ops, indexKey, at),

    removeFromIndex: (indexKey, members) => removeFromIndex(ops, indexKey, members, expiry),
  };
  return driver;
}

/** What an update writes (if anything) and resolves to once written. */
type Change<T> = { write: StoredRecord; expiresAt: number; result: T } | { write?: undefined; result: T };

// A merge: the keys this request changed, onto the stored record.
function merged(stored: StoredRecord, write: StoreWrite): StoredRecord {
  const { record } = write;
  const data = { ...stored.data };
  for (const name of write.changed) {
    if (Object.hasOwn(record.data, name)) defineOwn(data, name, record.data[name]);
    else delete data[name];
  }
  const next: StoredRecord = {
    ...stored,
    data,
    lastActiveAt: Math.max(stored.lastActiveAt, record.lastActiveAt),
  };
  if (record.flash !== undefined && write.changedFlash.length > 0) {
    const flash = { ...stored.flash };
    for (const name of write.changedFlash) {
      if (Object.hasOwn(record.flash, name)) defineOwn(flash, name, record.flash[name]);
    }
    next.flash = flash;
  }
  return next;
}

function tooLarge(value: string): SessionStoreError {
  return new SessionStoreError(
    `The session (${new TextEncoder().encode(value).length} bytes) is larger than memcached stores in one ` +
      'item (1 MB unless memcached was started with -I), so memcached refused it and dropped the stored ' +
      'copy. Keep less in the session (ids, not records).',
  );
}

function busy(operation: string): SessionStoreError {
  return new SessionStoreError(
    `memcached: the session kept changing during ${operation} (${ATTEMPTS} concurrent writes won in a row); try again.`,
  );
}
