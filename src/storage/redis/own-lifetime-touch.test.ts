// A session with its own maxAge (newSession({ maxAge })) keeps it through the
// idle refresh done inside the load (GET_TOUCH): the refresh caps the record's
// TTL at the session's own end, not the kit's, so a remember-me session longer
// than the kit's maxAge is not dropped from Redis at the kit's end.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { createSessionId } from '../session-id.ts';
import type { IdleTouch, StoredSession } from '../store/adapter.ts';
import { redisAdapter } from './adapter.ts';
import { ioredisExecutor } from './ioredis.ts';

const servers = inject('servers');
const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
afterAll(() => redis.disconnect());

const DAY = 86_400_000;

// What bindStore hands the adapter for a kit with maxAge 3 days, idleTimeout 1 day.
function touchAt(now: number, kitMaxAge: number): IdleTouch {
  const idleUntil = now + DAY;
  return {
    lastActiveAt: now,
    dueBy: now - 3_600_000,
    aliveSince: now - DAY - 60_000,
    idleUntil,
    maxAge: kitMaxAge,
    untilFor: () => idleUntil,
  };
}

describe('GET_TOUCH and a session of its own maxAge', () => {
  for (const own of [undefined, 10 * 86_400]) {
    it(
      own === undefined ? 'caps the TTL at the kit maxAge' : 'caps the TTL at the session’s own maxAge',
      async () => {
        const prefix = uniquePrefix('own-touch');
        const adapter = redisAdapter(ioredisExecutor(redis), prefix);
        const now = Date.now();
        // Created 2.9 days ago, last active 2 hours ago: a refresh is due.
        const createdAt = now - 2.9 * DAY;
        const session: StoredSession = {
          id: createSessionId(createdAt),
          data: { user: 'ada' },
          createdAt,
          lastActiveAt: now - 2 * 3_600_000,
          ...(own !== undefined && { lifetime: { maxAge: own } }),
        };
        const key = `k${Math.random().toString(36).slice(2)}`;
        await adapter.create(key, session, {
          until: now + 3_600_000,
          expiresAt: now + 3_600_000,
          replaces: [],
        });
        const loaded = await adapter.get(key, touchAt(now, 3 * DAY));
        expect(loaded?.lastActiveAt).toBe(now);
        const expiresAt = await redis.pexpiretime(`${prefix}s:${key}`);
        const kitEnd = createdAt + 3 * DAY;
        if (own === undefined) expect(expiresAt).toBe(Math.round(kitEnd));
        else expect(expiresAt).toBe(now + DAY); // idle end, before its own 10-day end
      },
    );
  }
});
