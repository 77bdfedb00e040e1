import { isRecord } from '../../is-object.ts';
import type { StorageContext, UserSessionInfo } from '../types.ts';
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
  // What the store lists is untrusted: only well-formed sessions of this
  // user count (an index may name a record that was since rewritten).
  const liveOf = (operation: string, userId: string): Promise<StoredSessionEntry[]> =>
    call(
      operation,
      () => adapter.listByUser(userId),
      (entries) => {
        const live: StoredSessionEntry[] = [];
        if (!Array.isArray(entries)) return live;
        for (const entry of entries as unknown[]) {
          if (!isRecord(entry) || typeof entry.key !== 'string') continue;
          const session = sessionStateOf(entry.session);
          if (session?.userId === userId) live.push({ key: entry.key, session });
        }
        return live;
      },
    );
  // A user may have thousands of sessions: one store call, with its own
  // deadline, per batch.
  const deleteAll = async (operation: string, keys: readonly string[], userId: string) => {
    for (const batch of batches(keys)) await call(operation, () => adapter.delete(batch, userId));
  };

  return {
    /** The user's live sessions, most recently active first. */
    async list(userId: string): Promise<UserSessionInfo[]> {
      const now = context.now();
      const sessions: UserSessionInfo[] = [];
      for (const { key, session } of await liveOf('list', userId)) {
        const { createdAt, lastActiveAt } = session;
        const expiresAt = context.lifetime.expiresAt(session);
        if (expiresAt < now) continue;
        sessions.push({ ref: key, id: session.id, createdAt, lastSeen: lastActiveAt, expiresAt });
      }
      return sessions.sort((a, b) => b.lastSeen - a.lastSeen);
    },

    /** Ends the user's sessions but those in `except`; resolves to how many ended. */
    async destroy(userId: string, except: readonly string[]): Promise<number> {
      const kept = new Set(except);
      const doomed = (await liveOf('revoke', userId)).map((e) => e.key).filter((key) => !kept.has(key));
      await deleteAll('revoke', doomed, userId);
      return doomed.length;
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
