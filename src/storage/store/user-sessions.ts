import { isRecord } from '../../is-object.ts';
import type { StorageContext, UserSessionInfo, UserSessionSelection } from '../types.ts';
import type { CreateResult, StoreAdapter, StoredSessionEntry } from './adapter.ts';
import { batches } from './batches.ts';
import { sessionsOverLimit } from './session-limit.ts';
import { sessionStateOf } from './stored-session.ts';

/**
 * A store call under the kit's deadline (see `guarded()`).
 */
export type StoreCall = <T, R = T>(
  operation: string,
  fn: () => Promise<T>,
  map?: (value: T) => R,
) => Promise<R>;

/**
 * What the kit does with a user's sessions, over any store: list them,
 * revoke them, and enforce `maxSessionsPerUser` after a login.
 */
export function userSessions(
  adapter: StoreAdapter,
  call: StoreCall,
  context: StorageContext,
  limit: number | undefined,
) {
  const liveOf = (operation: string, userId: string): Promise<StoredSessionEntry[]> =>
    call(
      operation,
      () => adapter.listByUser(userId),
      (entries) => liveEntries(entries, userId),
    );
  // A user may have thousands of sessions: one store call, with its own
  // deadline, per batch.
  const deleteAll = async (operation: string, keys: readonly string[], userId: string) => {
    for (const batch of batches(keys)) await call(operation, () => adapter.delete(batch, userId));
  };

  return {
    /**
     * The user's live sessions, most recently active first; `current` is
     * left `false` for the caller to set. The reference is the session's
     * public id: never the token, nor the key derived from it.
     */
    async list(userId: string): Promise<UserSessionInfo[]> {
      return listing(await liveOf('list', userId), context);
    },

    /** Ends the user's sessions `refs` selects; resolves to how many ended. */
    async destroy(userId: string, refs: UserSessionSelection): Promise<number> {
      const live = await liveOf('revoke', userId);
      // Only this user's listed sessions can match: a reference of another
      // user's session (or a made-up one) selects nothing.
      const doomed =
        'only' in refs
          ? live.filter((e) => refs.only.includes(e.session.id))
          : live.filter((e) => !refs.except.includes(e.session.id));
      const keys = doomed.map((e) => e.key);
      await deleteAll('revoke', keys, userId);
      return keys.length;
    },

    /**
     * After a login was saved: ends the sessions beyond the limit (see
     * session-limit.ts); false when the login itself did not survive.
     */
    async afterLogin(key: string, userId: string, result: CreateResult | undefined): Promise<boolean> {
      if (limit === undefined) return true;
      const counted = result?.userSessions;
      if (typeof counted === 'number' && counted <= limit) return true;
      const live = await liveOf('save', userId);
      const doomed = sessionsOverLimit(live, limit);
      if (doomed.length > 0) await deleteAll('save', doomed, userId);
      return live.some((entry) => entry.key === key) && !doomed.includes(key);
    },
  };
}

// What the store lists is untrusted: only well-formed sessions of this
// user count (an index may name a record that was since rewritten).
function liveEntries(entries: unknown, userId: string): StoredSessionEntry[] {
  const live: StoredSessionEntry[] = [];
  if (!Array.isArray(entries)) return live;
  for (const entry of entries as unknown[]) {
    if (!isRecord(entry) || typeof entry.key !== 'string') continue;
    const session = sessionStateOf(entry.session);
    if (session?.userId === userId) live.push({ key: entry.key, session });
  }
  return live;
}

function listing(live: readonly StoredSessionEntry[], context: StorageContext): UserSessionInfo[] {
  const now = context.now();
  const sessions: UserSessionInfo[] = [];
  for (const { session } of live) {
    const expiresAt = context.lifetime.expiresAt(session);
    if (expiresAt < now) continue;
    sessions.push(deviceInfo(session, expiresAt));
  }
  return sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}

/** What a listing shows of one session: plain times and strings, no key. */
function deviceInfo(session: StoredSessionEntry['session'], expiresAt: number): UserSessionInfo {
  const info: UserSessionInfo = {
    ref: session.id,
    current: false,
    createdAt: session.createdAt,
    lastSeenAt: session.lastActiveAt,
    expiresAt,
  };
  if (session.authenticatedAt !== undefined) info.authenticatedAt = session.authenticatedAt;
  if (session.userAgent !== undefined) info.userAgent = session.userAgent;
  if (session.ip !== undefined) info.ip = session.ip;
  return info;
}
