import { defineOwn } from '../../own-property.ts';
import type { IdleTouch, StoreAdapter, StoredSession } from '../store/adapter.ts';
import { remembered } from '../store/recent.ts';
import { encodeValue } from '../store/record-codec.ts';
import type { RedisCall, RedisExecutor } from './executor.ts';
import { changeArgs, createArgs, parseFlashReply, parseHash } from './hash.ts';
import { GET_TOUCH, SAVE, TAKE_FLASH } from './scripts.ts';
import { createIndexed, deleteSessions, listByUser, type RedisKeys } from './user-index.ts';

/**
 * A store adapter for anything that speaks Redis commands: ioredis (single
 * node or Cluster) and Upstash / Vercel KV. A session is a hash under
 * `<keyPrefix>s:<key>` with one field per data key (see hash.ts), and every
 * save is one atomic script on that one key, so it runs unchanged on a
 * Cluster. A user's sessions are a sorted set beside them (user-index.ts).
 */
export function redisAdapter(exec: RedisExecutor, keyPrefix: string): StoreAdapter {
  const sessionKey = remembered((key) => `${keyPrefix}s:${key}`);
  const keys: RedisKeys = { exec, keyPrefix, sessionKey };
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
      return createIndexed(keys, calls, key, session.userId, write.expiresAt, replaces);
    },

    update: (key, change) => exec.script(SAVE, sessionKey(key), changeArgs(change), isOne),

    delete: (sessions, userId) => deleteSessions(keys, sessions, userId),

    // The TTL is untouched: HDEL keeps it.
    takeFlash: (key) => exec.script(TAKE_FLASH, sessionKey(key), [], parseFlashReply),

    listByUser: (userId) => listByUser(keys, userId),
  };
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
