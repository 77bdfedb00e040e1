import type { IndexEntry, IndexWrite, StoreDriver } from './driver.ts';

/**
 * Enforces `maxSessionsPerUser` after a login was saved and indexed: ends the
 * user's oldest live sessions beyond the limit (their records are deleted,
 * so their cookies resolve to a fresh empty session) and drops them, and any
 * entries whose sessions already ended, from the index. The new session is
 * never ended.
 *
 * Only live records count: an index may still list sessions that ended by
 * logout or idle expiry, and counting those would sign out a device that
 * should have stayed. Round trips, only for a login that finds the index over
 * the limit: one to read the candidates (in parallel), one to delete the
 * chosen sessions, one to update the index. Each session key may sit in a
 * different Redis Cluster slot from the index and from each other, so these
 * are single-key commands, never one script; the records go first, so an
 * interruption leaves at worst a listed session that ended, never a live one
 * the index forgot (which "sign out everywhere" could no longer reach).
 * Only sessions created before the new one are ended, oldest first: of two
 * concurrent logins at most the older one ends, never both; with clock skew
 * between servers the limit may be exceeded until the next login.
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
  const others = entries.map((entry) => entry.member).filter((member) => member !== index.member);
  if (others.length < limit) return;
  const records = await driver.loadMany(others.map((member) => index.sessionPrefix + member));
  const live: Array<{ member: string; createdAt: number }> = [];
  // Creation time, then member, totally orders sessions: of two logins in
  // the same millisecond, exactly one counts as older.
  const older = (a: { member: string; createdAt: number }, b: { member: string; createdAt: number }) =>
    a.createdAt - b.createdAt || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0);
  const self = { member: index.member, createdAt: index.createdAt };
  const ended: string[] = [];
  others.forEach((member, i) => {
    const record = records[i];
    if (typeof record === 'object' && record !== null && record.userId === index.userId) {
      live.push({ member, createdAt: record.createdAt });
    } else ended.push(member);
  });
  // The new session takes one of the `limit` places.
  const excess = live.length + 1 - limit;
  const doomed =
    excess > 0
      ? live
          .filter((session) => older(session, self) < 0)
          .sort(older)
          .slice(0, excess)
          .map((session) => session.member)
      : [];
  if (doomed.length > 0) await driver.remove(doomed.map((member) => index.sessionPrefix + member));
  if (doomed.length + ended.length > 0) await driver.removeFromIndex(index.key, [...doomed, ...ended]);
}
