import type { Client } from 'memjs';
import type {
  CreateResult,
  NewSessionWrite,
  SessionChange,
  StoreAdapter,
  StoredSession,
  StoredSessionEntry,
} from '../store/adapter.ts';
import { applySessionChange } from '../store/session-change.ts';
import { sha256Base64url } from '../store/token.ts';
import { type MemcachedOps, memcachedOps } from './protocol.ts';
import { busyError, memcachedExpiry, memcachedRecords } from './records.ts';
import { addToIndex, type IndexAdd, type IndexEnv, listIndex, removeFromIndex } from './user-index.ts';

/** One memcached adapter's clients and key names. */
interface Env {
  ops: MemcachedOps;
  records: ReturnType<typeof memcachedRecords>;
  index: IndexEnv;
  now: () => number;
  sessionKey(key: string): string;
  indexKey(userId: string): Promise<string>;
  /**
   * The CAS each loaded (or saved) session was read with, by object: the kit
   * saves the very object it loaded, so its save can be conditional on it
   * without a read. A session not found here is read again.
   */
  casOf: WeakMap<StoredSession, bigint>;
}

/**
 * A store adapter over memjs. A session is one value (the whole record,
 * `<keyPrefix>s:<key>`); every write that depends on what was read is a
 * compare-and-set (memcached's CAS, sent through memjs' `perform()` since
 * memjs exposes no `gets`/`cas`), so nothing written meanwhile is ever
 * overwritten:
 *
 * - A save of a loaded session sends the whole record, conditional on the
 *   CAS its load saw: one round trip. If the session changed meanwhile,
 *   it reads the record again and writes just its changed keys onto it
 *   (two more round trips, repeated while writes keep racing): concurrent
 *   saves of different keys both survive; of the same key, the last wins.
 *   A save never recreates a session deleted meanwhile.
 * - The idle refresh and taking flash messages read the record and write it
 *   back only if unchanged, retrying on a newer save: they never undo one,
 *   and a flash message is taken exactly once.
 * - The per-user index (`<keyPrefix>u:<sha256(userId)>`) is one value of
 *   `<key> <expiry>` lines, added to atomically and compacted as logins go
 *   (see `user-index.ts`), so it stays as small as the user's live sessions.
 */
export function memcachedAdapter(client: Client, now: () => number, keyPrefix: string): StoreAdapter {
  const ops = memcachedOps(client);
  const expiry = (until: number) => memcachedExpiry(until, now());
  const records = memcachedRecords(ops, expiry);
  const sessionKey = (key: string) => `${keyPrefix}s:${key}`;
  const alive = async (members: readonly string[], add: IndexAdd): Promise<boolean[]> => {
    const found = await Promise.all(members.map((member) => records.read(sessionKey(member))));
    return found.map((f) => f?.session !== undefined && f.session.userId === add.userId);
  };
  const env: Env = {
    ops,
    records,
    index: { ops, alive, expiry },
    now,
    sessionKey,
    indexKey: async (userId) => `${keyPrefix}u:${await sha256Base64url(userId)}`,
    casOf: new WeakMap(),
  };
  return {
    name: 'memcached',
    namespace: keyPrefix,
    capabilities: { atomic: true },
    async get(key) {
      const found = await records.read(sessionKey(key));
      if (found === null) return null;
      if (found.session !== undefined) env.casOf.set(found.session, found.cas);
      return found.session;
    },
    create: (key, session, write) => create(env, key, session, write),
    update: (key, change) => update(env, key, change),
    async delete(keys, userId) {
      await Promise.all(keys.map((key) => ops.remove(sessionKey(key))));
      if (userId !== undefined) await removeFromIndex(ops, await env.indexKey(userId), keys, expiry);
    },
    takeFlash: (key, until) =>
      records.rewrite<Record<string, unknown>>(
        sessionKey(key),
        (stored) => {
          if (stored?.flash === undefined) return { result: {} };
          const { flash, ...rest } = stored;
          return { write: rest, until, result: flash };
        },
        {},
        // Still pending: a later request shows it.
        () => ({}),
      ),
    listByUser: (userId) => listByUser(env, userId),
  };
}

async function update(env: Env, key: string, change: SessionChange): Promise<boolean> {
  const { records, casOf } = env;
  const { session } = change;
  if (change.replace && session !== undefined) {
    const stored = await records.put('replace', env.sessionKey(key), session, change.until);
    if (stored.status !== 'stored') return false;
    casOf.set(session, stored.cas);
    return true;
  }
  const loaded = session === undefined ? undefined : casOf.get(session);
  if (session !== undefined && loaded !== undefined) {
    // The usual case: nothing else wrote since this request loaded it.
    const stored = await records.put('set', env.sessionKey(key), session, change.until, loaded);
    if (stored.status === 'stored') casOf.set(session, stored.cas);
    if (stored.status === 'stored' || stored.status === 'missing') return stored.status === 'stored';
  }
  // The record moved on (or was not loaded here): apply the change to what
  // is there now. `session` no longer mirrors the stored value.
  if (session !== undefined) casOf.delete(session);
  const refresh = session === undefined;
  const written = (next: StoredSession) => ({ write: next, until: change.until, result: true });
  return records.rewrite(
    env.sessionKey(key),
    (stored) => {
      if (stored === undefined) return session === undefined ? { result: false } : written(session);
      // A save or refresh at least as recent already moved the clock and the TTL.
      if (refresh && stored.lastActiveAt >= change.lastActiveAt) return { result: true };
      return written(applySessionChange(stored, change));
    },
    false,
    () => {
      // Every refresh lost to another write of this session, each of which refreshed it too.
      if (refresh) return true;
      throw busyError('save');
    },
  );
}

// The record (and the deletes of the sessions it replaces) first, the index
// line after: a line is only ever listed once its record exists, so a login
// that reads the index, and then the records, never takes a concurrent login
// for an ended one (see session-limit.ts).
async function create(
  env: Env,
  key: string,
  session: StoredSession,
  write: NewSessionWrite,
): Promise<CreateResult | undefined> {
  const { ops, records } = env;
  const { userId } = session;
  const index = userId === undefined ? undefined : await env.indexKey(userId);
  const writes = Promise.allSettled([
    records.put('set', env.sessionKey(key), session, write.until).then((put) => {
      env.casOf.set(session, put.cas);
    }),
    Promise.all(write.replaces.map((old) => ops.remove(env.sessionKey(old)))),
  ]);
  try {
    for (const outcome of await writes) if (outcome.status === 'rejected') throw outcome.reason;
    if (userId === undefined || index === undefined) return undefined;
    const add = {
      key: index,
      member: key,
      expiresAt: write.expiresAt,
      now: env.now(),
      userId,
      drop: write.replaces,
    };
    const entries = await addToIndex(env.index, add);
    // A rewrite knows the index exactly; after an append the kit lists it.
    return entries === undefined ? {} : { userSessions: entries.length };
  } catch (error) {
    // A login that fails leaves no session behind: unindexed, it could not
    // be signed out with the user's others (and no cookie names it).
    if (userId !== undefined) await ops.remove(env.sessionKey(key)).catch(() => {});
    throw error;
  }
}

async function listByUser(env: Env, userId: string): Promise<StoredSessionEntry[]> {
  const index = await env.indexKey(userId);
  const entries = await listIndex(env.ops, index, env.now());
  const found = await Promise.all(entries.map((e) => env.records.read(env.sessionKey(e.member))));
  const live: StoredSessionEntry[] = [];
  const ended: string[] = [];
  entries.forEach(({ member }, i) => {
    const session = found[i]?.session;
    if (session?.userId === userId) live.push({ key: member, session });
    else ended.push(member);
  });
  // Gone, unreadable or someone else's: read as missing after it was listed,
  // so the line can go (see session-limit.ts).
  await removeFromIndex(env.ops, index, ended, env.index.expiry);
  return live;
}
