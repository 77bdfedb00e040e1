import type { CreateResult, StoredSessionEntry } from '../store/adapter.ts';
import { batches } from '../store/batches.ts';
import { decodeValue } from '../store/record-codec.ts';
import { sessionStateOf } from '../store/stored-session.ts';
import { sha256Base64url } from '../store/token.ts';
import type { RedisCall, RedisExecutor } from './executor.ts';
import { parseHash } from './hash.ts';
import { INDEX_ADD, INDEX_LIST, INDEX_REMOVE } from './scripts.ts';

/**
 * A user's sessions: a sorted set under `<keyPrefix>u:<sha256(userId)>`,
 * scored by their absolute expiry, kept in step with the session records.
 * One of these per adapter, made at creation, is what the functions below
 * work on.
 *
 * @internal
 */
export interface RedisKeys {
  readonly exec: RedisExecutor;
  readonly keyPrefix: string;
  /** `<keyPrefix>s:<key>`: a session's hash. */
  readonly sessionKey: (key: string) => string;
}

const indexKey = async (keys: RedisKeys, userId: string): Promise<string> =>
  `${keys.keyPrefix}u:${await sha256Base64url(userId)}`;

/**
 * A login: `calls` (its record, and the deletion of the sessions it
 * replaces) must take effect before its index entry is visible, or a
 * concurrent login could list the entry, find no record, take the session
 * for ended and drop it from the index (see session-limit.ts). One ordered
 * pipeline where the executor guarantees the order, else two round trips.
 *
 * @internal
 */
export async function createIndexed(
  keys: RedisKeys,
  calls: RedisCall[],
  key: string,
  userId: string,
  expiresAt: number,
  replaces: readonly string[],
): Promise<CreateResult> {
  const { exec } = keys;
  const index = await indexKey(keys, userId);
  const args = [key, String(expiresAt), String(Date.now()), ...replaces];
  let reply: unknown;
  if (exec.ordered) {
    const replies = await exec.run([...calls, { script: INDEX_ADD, key: index, args }]);
    reply = replies[replies.length - 1];
  } else {
    await exec.run(calls);
    reply = await exec.script(INDEX_ADD, index, args);
  }
  const count = Number(reply);
  return Number.isSafeInteger(count) ? { userSessions: count } : {};
}

/**
 * Deletes sessions and, given their user, their index entries. One DEL per
 * key: on a Cluster the keys live in different slots. The records go
 * first, so an index never forgets a session that still lives: in the same
 * ordered pipeline where the executor has one.
 *
 * @internal
 */
export async function deleteSessions(
  keys: RedisKeys,
  sessionKeys: readonly string[],
  userId: string | undefined,
): Promise<void> {
  const { exec, sessionKey } = keys;
  const index = userId === undefined ? undefined : await indexKey(keys, userId);
  for (const batch of batches(sessionKeys)) {
    const calls: RedisCall[] = batch.map((key) => ({ del: sessionKey(key) }));
    if (index === undefined) await exec.run(calls);
    else if (exec.ordered) await exec.run([...calls, { script: INDEX_REMOVE, key: index, args: batch }]);
    else {
      await exec.run(calls);
      await exec.script(INDEX_REMOVE, index, batch);
    }
  }
}

/**
 * The user's live sessions; the entries of the others (gone, unreadable or
 * someone else's) are dropped from the index.
 *
 * @internal
 */
export async function listByUser(keys: RedisKeys, userId: string): Promise<StoredSessionEntry[]> {
  const { exec, sessionKey } = keys;
  const index = await indexKey(keys, userId);
  const members = parseMembers(await exec.script(INDEX_LIST, index, [String(Date.now())]));
  if (members.length === 0) return [];
  const hashes = await Promise.all(batches(members).map((b) => exec.hgetallMany(b.map(sessionKey))));
  const found: StoredSessionEntry[] = [];
  const ended: string[] = [];
  hashes.flat().forEach((hash, i) => {
    const key = members[i] as string;
    const session = sessionStateOf(parseHash(hash));
    if (session?.userId === userId) found.push({ key, session });
    else ended.push(key);
  });
  // Gone, unreadable or someone else's: read as missing after it was
  // listed, so the entry can go (see session-limit.ts).
  for (const batch of batches(ended)) await exec.script(INDEX_REMOVE, index, batch);
  return found;
}

// `j` + JSON `[member, score, …]`, as INDEX_LIST returns it.
function parseMembers(reply: unknown): string[] {
  const decoded = decodeValue(reply);
  if (decoded === undefined || !Array.isArray(decoded.value)) return [];
  const flat = decoded.value as unknown[];
  const members: string[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) members.push(String(flat[i]));
  return members;
}
