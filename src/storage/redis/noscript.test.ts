// The NOSCRIPT fallback, on a real Redis and a real Cluster: the server is
// made to answer EVALSHA with NOSCRIPT (as after a restart or failover) by
// sending a SHA it has never seen; the driver must fall back to EVAL and
// still read the script's reply the same way.
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { createSessionId } from '../session-id.ts';
import { touchChange } from '../store/session-change.ts';
import { sha256Base64url } from '../store/token.ts';
import { redisAdapter } from './adapter.ts';
import { ioredisExecutor } from './ioredis.ts';
import { INDEX_ADD, SAVE, scriptSha } from './scripts.ts';

const servers = inject('servers');
const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
const cluster = new Cluster(
  servers.cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
  { redisOptions: { maxRetriesPerRequest: 1 } },
);
afterAll(() => {
  redis.disconnect();
  cluster.disconnect();
});

/** The client, except that every EVALSHA names a script the server does not know. */
function forgetful<T extends Redis | Cluster>(client: T): { client: T; misses: () => number } {
  let misses = 0;
  const proxy = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'evalsha') {
        return (_sha: string, ...rest: unknown[]) => {
          misses++;
          return (target.evalsha as (...args: unknown[]) => Promise<unknown>)(
            randomBytes(20).toString('hex'),
            ...rest,
          );
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: proxy, misses: () => misses };
}

for (const [name, client] of [
  ['redis', redis],
  ['redis-cluster', cluster],
] as const) {
  describe(`NOSCRIPT fallback: ${name}`, () => {
    it('create, merge, touch and flash still work, with the same answers', async () => {
      const { client: proxy, misses } = forgetful(client as Redis);
      const prefix = uniquePrefix('noscript');
      const adapter = redisAdapter(ioredisExecutor(proxy), prefix);
      const key = 'x';
      const now = Date.now();
      const session = { id: createSessionId(now), data: { a: 1 }, createdAt: now, lastActiveAt: now };
      await adapter.create(key, session, { until: now + 60_000, expiresAt: now + 60_000, replaces: [] });
      const merge = {
        replace: false,
        set: { a: 2 },
        unset: [],
        flash: {},
        lastActiveAt: now,
        until: now + 60_000,
      };
      expect(await adapter.update(key, { ...merge, session })).toBe(true);
      expect(await adapter.update(key, touchChange(now + 5, now + 60_000))).toBe(true);
      expect(await adapter.update(`${key}:gone`, touchChange(now + 5, now + 60_000))).toBe(false);
      expect(await adapter.get(key)).toMatchObject({ data: { a: 2 }, lastActiveAt: now + 5 });
      expect(await adapter.takeFlash(key, now + 60_000)).toEqual({});
      expect(misses()).toBeGreaterThanOrEqual(4);
    });
  });
}

describe('NOSCRIPT fallback in a login pipeline: redis', () => {
  it('replays in order, so the index entry still lands after the record', async () => {
    // The server knows the index script (another instance used it) but not
    // the save script: in the login's pipeline the save fails and the index
    // update runs. What the server executes, in order, is read with MONITOR.
    await redis.script('LOAD', INDEX_ADD.source);
    const saveSha = await scriptSha(SAVE);
    const proxy = new Proxy(redis, {
      get(target, property, receiver) {
        if (property === 'pipeline') {
          return () => {
            const pipeline = target.pipeline();
            const evalsha = pipeline.evalsha.bind(pipeline) as (...args: unknown[]) => unknown;
            pipeline.evalsha = ((sha: string, ...rest: unknown[]) =>
              evalsha(sha === saveSha ? randomBytes(20).toString('hex') : sha, ...rest)) as never;
            return pipeline;
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const prefix = uniquePrefix('noscript-order');
    const adapter = redisAdapter(ioredisExecutor(proxy), prefix);
    const key = `${prefix}s:member`;
    const indexKey = `${prefix}u:${await sha256Base64url('ada')}`;
    const now = Date.now();
    const session = {
      id: createSessionId(now),
      data: { a: 1 },
      createdAt: now,
      lastActiveAt: now,
      userId: 'ada',
    };
    const seen: string[] = [];
    const monitor = await redis.monitor();
    const sentinel = `${prefix}sentinel`;
    const done = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args[1] === key || args[1] === indexKey) seen.push(`${String(args[0]).toUpperCase()} ${args[1]}`);
        if (args[1] === sentinel) resolve();
      });
    });
    try {
      const created = await adapter.create('member', session, {
        until: now + 60_000,
        expiresAt: now + 60_000,
        replaces: [],
      });
      expect(created).toEqual({ userSessions: 1 });
      await redis.get(sentinel);
      await done;
    } finally {
      monitor.disconnect();
    }
    const recordWritten = seen.indexOf(`HSET ${key}`);
    const lastIndexAdd = seen.lastIndexOf(`ZADD ${indexKey}`);
    expect(recordWritten, seen.join('\n')).toBeGreaterThanOrEqual(0);
    expect(lastIndexAdd, seen.join('\n')).toBeGreaterThan(recordWritten);
    expect(await redis.zrange(indexKey, '0', '-1', 'WITHSCORES')).toEqual(['member', String(now + 60_000)]);
    expect(await adapter.listByUser('ada')).toMatchObject([{ key: 'member', session: { data: { a: 1 } } }]);
  });
});
