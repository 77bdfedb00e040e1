import type { StoredSessionEntry } from './adapter.ts';

// Every login ranks sessions the same way, whatever it happens to see:
// newer creation time first, then the greater key (two logins in the same
// millisecond still have exactly one order).
const newerFirst = (a: StoredSessionEntry, b: StoredSessionEntry): number =>
  b.session.createdAt - a.session.createdAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);

/**
 * Which of a user's live sessions `maxSessionsPerUser` ends, as a login
 * sees them after it was saved and indexed: of the user's live sessions
 * (the new one included), the `limit` newest stay and every other one is
 * ended (its record deleted, so its cookie resolves to a fresh empty
 * session, and its index entry dropped). The new session itself is ended
 * too when `limit` newer live ones exist: that happens when concurrent
 * logins are saved newest first. The caller then treats the login like one
 * revoked meanwhile (no cookie is set).
 *
 * Only live records of this user count: an index may still list sessions
 * that ended by logout or idle expiry, and counting those would sign out a
 * device that should have stayed. A record of another user (or a corrupt
 * one) is never deleted.
 *
 * Why the limit holds once concurrent logins have settled. Each store
 * writes a login's record (and deletes its previous records) *before* its
 * index entry becomes visible (`StoreAdapter.create()`): one ordered
 * pipeline on a single Redis (whose NOSCRIPT fallback replays in order),
 * two steps on Redis Cluster and KV (the keys live in different slots, or
 * the client may send them apart), one synchronous step in memory; on
 * Memcached the record write completes before the index append. Each
 * login then reads the index after its own entry is in it (`listByUser()`
 * after `create()` resolved, or the count `create()` took atomically with
 * the add), and the records after that. Take the login L whose index read comes last. Every other
 * login's entry was added before L read the index, so every record was
 * written before L read the records: L sees every session that is still
 * live. An index entry is only ever removed once its record was deleted or
 * read as missing *after* the entry was listed, which, records being
 * written first, means the session really ended. So L's view holds every
 * session that can still be live, and L ends all of them but the `limit`
 * newest; other enforcements only ever delete. If L found no more than
 * `limit` entries, no more than that are live. Every login agrees on the
 * order, so the `limit` newest sessions are never ended by anyone: the
 * survivors are exactly the newest `limit`, whatever order the saves land in.
 *
 * Round trips, only for a login that is not known to be within the limit
 * (its store counted more, or counts nothing): `listByUser()`, then one
 * `delete()` of the ended sessions. Stores delete the records before the
 * index entries, so an interruption leaves at worst a listed session that
 * ended, never a live one the index forgot (which "sign out everywhere"
 * could no longer reach).
 *
 * With clocks skewed between servers by more than the time between two
 * logins, the later login may rank as the older one: the limit still holds.
 */
export function sessionsOverLimit(live: readonly StoredSessionEntry[], limit: number): string[] {
  if (live.length <= limit) return [];
  return [...live]
    .sort(newerFirst)
    .slice(limit)
    .map((entry) => entry.key);
}
