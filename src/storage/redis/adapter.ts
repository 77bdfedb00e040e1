import { defineOwn } from '../../own-property.ts';
import type {
  CreateResult,
  IdleTouch,
  StoreAdapter,
  StoredSession,
  StoredSessionEntry,
} from '../store/adapter.ts';
import { batches } from '../store/batches.ts';
import { remembered } from '../store/recent.ts';
import { decodeValue, encodeValue } from '../store/record-codec.ts';
import { sessionStateOf } from '../store/stored-session.ts';
import { sha256Base64url } from '../store/token.ts';
import type { RedisCall, RedisExecutor } from './executor.ts';
import { changeArgs, createArgs, parseFlashReply, parseHash } from './hash.ts';
import { GET_TOUCH, INDEX_ADD, INDEX_LIST, INDEX_REMOVE, SAVE, TAKE_FLASH } from './scripts.ts';

/**
 * A store adapter for anything that speaks Redis commands: ioredis (single
 * node or Cluster) and Upstash / Vercel KV. A session is a hash under
 * `<keyPrefix>s:<key>` with one field per data key (see hash.ts), and every
 * save is one atomic script on that one key, so it runs unchanged on a
 * Cluster. A user's sessions are a sorted set under
 * `<keyPrefix>u:<sha256(userId)>`, scored by their absolute expiry.
 */
export function redisAdapter(exec: RedisExecutor, keyPrefix: string): StoreAdapter {
  const sessionKey = remembered((key) => `${keyPrefix}s:${key}`);
  const indexKey = async (userId: string) => `${keyPrefix}u:${await sha256Base64url(userId)}`;
  return {
    name: exec.name,
    namespace: keyPrefix,
    capabilities: { atomic: true, touchOnGet: true },

    // With a touch: one script that reads and, when due, slides the idle
    // expiry, so a load is one round trip either way.
    get: (key, touch) =>
      touch === undefined
        ? exec.hgetall(sessionKey(key)).then(parseHash)
        : exec.script(GET_TOUCH, sessionKey(key), touchArgs(touch), parseFlatHash),

    async create(key, session, write) {
      const args = createArgs(session, write.until);
      const { replaces } = write;
      // A session without a user that replaces nothing (nearly every first
      // save) is one script: no batch to build.
      if (replaces.length === 0 && session.userId === undefined) {
        await exec.script(SAVE, sessionKey(key), args);
        return;
      }
      const calls: RedisCall[] = [{ script: SAVE, key: sessionKey(key), args }];
      for (const old of replaces) calls.push({ del: sessionKey(old) });
      if (session.userId === undefined) {
        await exec.run(calls);
        return;
      }
      const index = await indexKey(session.userId);
      return indexed(calls, index, [key, String(write.expiresAt), String(Date.now()), ...replaces]);
    },

    update: (key, change) => exec.script(SAVE, sessionKey(key), changeArgs(change), isOne),

    async delete(keys, userId) {
      // One DEL per key: on a Cluster the keys live in different slots. The
      // records go first, so an index never forgets a session that still
      // lives: in the same ordered pipeline where the executor has one.
      const index = userId === undefined ? undefined : await indexKey(userId);
      for (const batch of batches(keys)) {
        const calls: RedisCall[] = batch.map((key) => ({ del: sessionKey(key) }));
        if (index === undefined) await exec.run(calls);
        else if (exec.ordered) await exec.run([...calls, { script: INDEX_REMOVE, key: index, args: batch }]);
        else {
          await exec.run(calls);
          await exec.script(INDEX_REMOVE, index, batch);
        }
      }
    },

    // The TTL is untouched: HDEL keeps it.
    takeFlash: (key) => exec.script(TAKE_FLASH, sessionKey(key), [], parseFlashReply),

    async listByUser(userId) {
      const index = await indexKey(userId);
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
    },
  };

  // A login: its record (and the deletion of the sessions it replaces) must
  // take effect before its index entry is visible, or a concurrent login
  // could list the entry, find no record, take the session for ended and
  // drop it from the index (see session-limit.ts). One ordered pipeline
  // where the executor guarantees the order, else two round trips.
  async function indexed(calls: RedisCall[], index: string, args: string[]): Promise<CreateResult> {
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

function touchArgs(touch: IdleTouch): string[] {
  return [
    encodeValue(touch.lastActiveAt),
    String(Math.floor(touch.dueBy)),
    String(Math.floor(touch.idleUntil)),
    String(touch.maxAge),
    String(Math.ceil(touch.aliveSince)),
  ];
}

// HGETALL's reply inside a script: a flat `[field, value, …]` list.
function parseFlatHash(reply: unknown): StoredSession | null | undefined {
  if (!Array.isArray(reply)) return reply === null ? null : undefined;
  const hash: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) defineOwn(hash, String(reply[i]), reply[i + 1]);
  return parseHash(hash);
}

const isOne = (reply: unknown): boolean => Number(reply) === 1;
