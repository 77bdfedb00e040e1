import type { IndexEntry, IndexWrite, StoreDriver } from './driver.ts';

type Ranked = { member: string; createdAt: number };

// Every login ranks sessions the same way, whatever it happens to see:
// newer creation time first, then the greater member (two logins in the same
// millisecond still have exactly one order).
const newerFirst = (a: Ranked, b: Ranked): number =>
  b.createdAt - a.createdAt || (a.member < b.member ? 1 : a.member > b.member ? -1 : 0);

// Logins whose own session their enforcement ended (see loginEndedBySessionLimit).
const endedLogins = new WeakSet<IndexWrite>();

/**
 * Enforces `maxSessionsPerUser` after a login was saved and indexed: of the
 * user's live sessions (the new one included), the `limit` newest stay and
 * every other one is ended (its record deleted, so its cookie resolves to a
 * fresh empty session); they, and any entries whose sessions already ended,
 * leave the index. The new session itself is ended too when `limit` newer
 * live ones exist: that happens when concurrent logins are saved newest
 * first. {@link loginEndedBySessionLimit} then tells the caller, which
 * treats the login like one revoked meanwhile (no cookie is set).
 *
 * Only live records of this user count: an index may still list sessions
 * that ended by logout or idle expiry, and counting those would sign out a
 * device that should have stayed. A record of another user (or a corrupt
 * one) is never deleted, only dropped from this index.
 *
 * Why the limit holds once concurrent logins have settled. Each driver
 * writes a login's record (and deletes its previous records) *before* its
 * index entry becomes visible: one ordered pipeline on a single Redis (whose
 * NOSCRIPT fallback replays in order), two steps on Redis Cluster and KV
 * (the keys live in different slots, or the client may send them apart),
 * one synchronous step in memory; on Memcached the record write must
 * likewise complete before the index append. Each login then reads the
 * index after its own entry is in it (atomically with the add in Redis, by
 * reading the list back after the append in Memcached), and the records
 * after that. Take the login L whose index read comes last. Every other
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
 * Round trips, only for a login that finds the index over the limit: one to
 * read the candidates (in parallel), one to delete the ended sessions, one
 * to update the index. Session keys may sit in different Redis Cluster slots
 * from the index and from each other, so these are single-key commands,
 * never one script. The records go first, so an interruption leaves at worst
 * a listed session that ended, never a live one the index forgot (which
 * "sign out everywhere" could no longer reach).
 *
 * With clocks skewed between servers by more than the time between two
 * logins, the later login may rank as the older one: the limit still holds.
 *
 * @example
 * ```ts
 * if (entries.length > index.limit) await enforceSessionLimit(driver, index, entries);
 * ```
 */
export async function enforceSessionLimit(
  driver: Pick<StoreDriver, 'loadMany' | 'remove' | 'removeFromIndex'>,
  index: IndexWrite,
  entries: readonly IndexEntry[],
): Promise<void> {
  const { limit } = index;
  if (limit === undefined) return;
  const members = entries.map((entry) => entry.member).filter((member) => member !== index.member);
  if (members.length < limit) return;
  // The new session is read back too: a newer login or "sign out
  // everywhere" may have ended it already.
  members.push(index.member);
  const records = await driver.loadMany(members.map((member) => index.sessionPrefix + member));
  const live: Ranked[] = [];
  const ended: string[] = [];
  members.forEach((member, i) => {
    const record = records[i];
    if (typeof record === 'object' && record !== null && record.userId === index.userId) {
      live.push({ member, createdAt: record.createdAt });
    } else ended.push(member);
  });
  const doomed = live
    .sort(newerFirst)
    .slice(limit)
    .map((session) => session.member);
  if (doomed.length > 0) await driver.remove(doomed.map((member) => index.sessionPrefix + member));
  if (doomed.length + ended.length > 0) await driver.removeFromIndex(index.key, [...doomed, ...ended]);
  if (doomed.includes(index.member) || ended.includes(index.member)) endedLogins.add(index);
}

/**
 * True when the login that wrote `index` had its own session ended by
 * {@link enforceSessionLimit}, or found it already ended. Read by the shared
 * store layer after a driver's save, so every driver gets the same answer
 * without threading it through its own result: `save()` then resolves to
 * `null`, as for a session revoked meanwhile (no cookie, never resurrected).
 *
 * @example
 * ```ts
 * const saved = (await driver.save(write)) && !(index && loginEndedBySessionLimit(index));
 * ```
 */
export function loginEndedBySessionLimit(index: IndexWrite): boolean {
  return endedLogins.has(index);
}
