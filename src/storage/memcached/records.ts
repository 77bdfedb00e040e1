import { SessionStoreError } from '../../errors.ts';
import type { StoredSession } from '../store/adapter.ts';
import { decodeStoredSession, encodeStoredSession } from '../store/record-codec.ts';
import type { MemcachedOps, StoreStatus } from './protocol.ts';

// Memcached reads an expiry above 30 days as an absolute Unix time.
const RELATIVE_LIMIT_S = 60 * 60 * 24 * 30;
// Compare-and-set attempts of one save, touch or flash take before it gives
// up: each failed attempt means another write to the same session succeeded.
const ATTEMPTS = 8;

/**
 * Memcached's `exptime` for an absolute expiry: seconds from now up to 30
 * days, an absolute Unix time beyond (a relative value over 30 days would be
 * read as a date in 1970 and expire at once).
 */
export function memcachedExpiry(expiresAt: number, now: number): number {
  const seconds = Math.max(1, Math.ceil((expiresAt - now) / 1000));
  return seconds <= RELATIVE_LIMIT_S ? seconds : Math.ceil(expiresAt / 1000);
}

/**
 * What a read-modify-write does with the record it read: writes `write`
 * (until `until`) and resolves to `result`, or writes nothing.
 */
export type Rewrite<T> =
  | { write: StoredSession; until: number; result: T }
  | { write?: undefined; result: T };

/**
 * Session records as single memcached values (`encodeStoredSession`), read
 * with their CAS and written back only over the version that was read.
 */
export function memcachedRecords(ops: MemcachedOps, expiry: (until: number) => number) {
  const read = async (key: string): Promise<{ session: StoredSession | undefined; cas: bigint } | null> => {
    const found = await ops.get(key);
    if (found === null) return null;
    return { session: decodeStoredSession(new TextDecoder().decode(found.value)), cas: found.cas };
  };

  /** Writes `session` whole (a CAS of 0: unconditionally). */
  const put = async (
    mode: 'set' | 'replace',
    key: string,
    session: StoredSession,
    until: number,
    cas = 0n,
  ): Promise<{ status: StoreStatus; cas: bigint }> => {
    const value = encodeStoredSession(session);
    const stored = await ops.store(mode, key, value, expiry(until), cas);
    if (stored.status === 'too-large') throw tooLarge(value);
    return stored;
  };

  /**
   * Reads the record, lets `decide` choose, and writes the result back only
   * if nothing was written meanwhile; otherwise starts over with what is
   * there. `gone` when there is no record; `busy()` after too many conflicts.
   */
  const rewrite = async <T>(
    key: string,
    decide: (session: StoredSession | undefined) => Rewrite<T>,
    gone: T,
    busy: () => T,
  ): Promise<T> => {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const found = await read(key);
      if (found === null) return gone;
      const outcome = decide(found.session);
      if (outcome.write === undefined) return outcome.result;
      const { status } = await put('set', key, outcome.write, outcome.until, found.cas);
      if (status === 'stored') return outcome.result;
      if (status === 'missing') return gone;
    }
    return busy();
  };

  return { read, put, rewrite };
}

function tooLarge(value: string): SessionStoreError {
  return new SessionStoreError(
    `The session (${new TextEncoder().encode(value).length} bytes) is larger than memcached stores in one ` +
      'item (1 MB unless memcached was started with -I), so memcached refused it and dropped the stored ' +
      'copy. Keep less in the session (ids, not records).',
  );
}

/**
 * The error of a save that lost every compare-and-set attempt.
 */
export function busyError(operation: string): SessionStoreError {
  return new SessionStoreError(
    `memcached: the session kept changing during ${operation} (${ATTEMPTS} concurrent writes won in a row); try again.`,
  );
}
