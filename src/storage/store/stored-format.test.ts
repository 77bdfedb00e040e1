// What the store-backed storages keep in Redis, Redis Cluster, KV and
// Memcached is a format other processes read: older and newer versions of
// the kit during a rolling deploy, and sessions written before an upgrade.
// These tests pin it byte for byte, both ways: records written in the 0.1
// layout load (with their user index), and what the kit writes is that layout.
import type { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { kvStorage } from '../../entries/kv.ts';
import { memcachedStorage } from '../../entries/memcached.ts';
import { redisStorage } from '../../entries/redis.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { serverClients } from '../../test-utils/clients.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { createSessionId } from '../session-id.ts';
import type { SessionStorage } from '../types.ts';
import { createToken, sha256Base64url } from './token.ts';

type Data = { count?: number; name?: string };

const { redis, cluster, kvBacking, kv, memcached } = serverClients();

const MAX_AGE = 14 * 24 * 3600;
const sessionKey = async (prefix: string, token: string) => `${prefix}s:${await sha256Base64url(token)}`;
const indexKey = async (prefix: string, userId: string) => `${prefix}u:${await sha256Base64url(userId)}`;

/** Raw access to one store: write a 0.1 record and read back what the kit wrote. */
interface RawStore {
  name: string;
  storage(keyPrefix: string): SessionStorage;
  /** Writes a session and its index entry exactly as 0.1 did. */
  write(prefix: string, token: string, record: OldRecord): Promise<void>;
  /** The stored session as raw strings: hash fields, or the single value. */
  read(key: string): Promise<Record<string, string> | string | null>;
  /** The user index: member → expiry (ms). */
  index(key: string): Promise<Record<string, number>>;
}

interface OldRecord {
  id: string;
  lastActiveAt: number;
  userId: string;
  data: Record<string, unknown>;
  flash: Record<string, unknown>;
  expiresAt: number;
}

function redisRaw(name: string, client: Redis | Cluster, storage: (prefix: string) => SessionStorage) {
  const raw: RawStore = {
    name,
    storage,
    async write(prefix, token, record) {
      const key = await sessionKey(prefix, token);
      const fields: Record<string, string> = {
        _id: `j"${record.id}"`,
        _a: `j${record.lastActiveAt}`,
        _u: `j${JSON.stringify(record.userId)}`,
      };
      for (const [k, v] of Object.entries(record.data)) fields[`d.${k}`] = `j${JSON.stringify(v)}`;
      for (const [k, v] of Object.entries(record.flash)) fields[`f.${k}`] = `j${JSON.stringify(v)}`;
      await client.hset(key, fields);
      await client.pexpireat(key, record.expiresAt);
      const index = await indexKey(prefix, record.userId);
      await client.zadd(index, record.expiresAt, await sha256Base64url(token));
      await client.pexpireat(index, record.expiresAt);
    },
    async read(key) {
      const hash = await client.hgetall(key);
      return Object.keys(hash).length === 0 ? null : hash;
    },
    async index(key) {
      const flat = await (client as Redis).zrange(key, '0', '-1', 'WITHSCORES');
      const entries: Record<string, number> = {};
      for (let i = 0; i < flat.length; i += 2) entries[flat[i] as string] = Number(flat[i + 1]);
      return entries;
    },
  };
  return raw;
}

const memcachedRaw: RawStore = {
  name: 'memcached',
  storage: (keyPrefix) => memcachedStorage({ client: memcached, keyPrefix }),
  async write(prefix, token, record) {
    const text = `j${JSON.stringify({ i: record.id, a: record.lastActiveAt, u: record.userId, d: record.data, f: record.flash })}`;
    await memcached.set(await sessionKey(prefix, token), text, { expires: 3600 });
    const line = `${await sha256Base64url(token)} ${record.expiresAt}\n`;
    await memcached.set(await indexKey(prefix, record.userId), line, { expires: 3600 });
  },
  async read(key) {
    const { value } = await memcached.get(key);
    return value === null ? null : value.toString('utf8');
  },
  async index(key) {
    const { value } = await memcached.get(key);
    const entries: Record<string, number> = {};
    for (const line of (value?.toString('utf8') ?? '').split('\n').filter(Boolean)) {
      const [member, at] = line.split(' ');
      entries[member as string] = Number(at);
    }
    return entries;
  },
};

const stores: RawStore[] = [
  redisRaw('redis', redis, (keyPrefix) => redisStorage({ client: redis, keyPrefix })),
  redisRaw('redis-cluster', cluster, (keyPrefix) => redisStorage({ client: cluster, keyPrefix })),
  redisRaw('kv', kvBacking, (keyPrefix) => kvStorage({ client: kv, keyPrefix })),
  memcachedRaw,
];

for (const store of stores) {
  describe(`stored format: ${store.name}`, () => {
    it('a session written in the 0.1 layout loads, merges a save, is listed and is revoked', async () => {
      const prefix = uniquePrefix(`format-${store.name}`);
      const h = new Harness<Data>({ storage: store.storage(prefix), maxAge: MAX_AGE }, new Clock(Date.now()));
      const createdAt = h.clock.now() - 60_000;
      const token = createToken();
      const record: OldRecord = {
        id: createSessionId(createdAt),
        lastActiveAt: createdAt + 30_000,
        userId: 'ada',
        data: { count: 1, name: 'Ada ✓ 😀' },
        flash: { notice: 'Welcome back' },
        expiresAt: createdAt + MAX_AGE * 1000,
      };
      await store.write(prefix, token, record);
      const browser = new TestBrowser();
      browser.cookies.set('session', token);
      await h.request(browser, async (s) => {
        expect(s.isNew).toBe(false);
        expect(s.id).toBe(record.id);
        expect(s.userId).toBe('ada');
        expect(s.data).toEqual(record.data);
        expect(await s.getFlash('notice')).toBe('Welcome back');
        s.set('count', 2);
        await s.save();
      });
      expect(browser.lastWrites).toEqual([]); // same token: no cookie
      const key = await sessionKey(prefix, token);
      const stored = await store.read(key);
      if (typeof stored === 'string') {
        expect(stored).toBe(
          `j{"i":"${record.id}","a":${h.clock.now() - ((h.clock.now() - createdAt) % 1000)},"u":"ada","d":{"count":2,"name":"Ada ✓ 😀"}}`,
        );
      } else {
        expect(stored).toEqual({
          _id: `j"${record.id}"`,
          _a: `j${h.clock.now() - ((h.clock.now() - createdAt) % 1000)}`,
          _u: 'j"ada"',
          'd.count': 'j2',
          'd.name': 'j"Ada ✓ 😀"',
        });
      }
      const listed = (await h.engine.storage.users?.list('ada')) ?? [];
      expect(listed.map((s) => [s.ref, s.id, s.createdAt])).toEqual([
        [await sha256Base64url(token), record.id, createdAt],
      ]);
      expect(await h.engine.storage.users?.destroy('ada', [])).toBe(1);
      expect(await store.read(key)).toBeNull();
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
    });

    it('what the kit writes is the 0.1 layout: same keys, fields, encoding and index entries', async () => {
      const prefix = uniquePrefix(`format-${store.name}`);
      const h = new Harness<Data>({ storage: store.storage(prefix), maxAge: MAX_AGE }, new Clock(Date.now()));
      const browser = new TestBrowser();
      const id = await h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada');
        s.set('count', 1);
        s.set('name', 'Ada ✓ "quoted" \\');
        s.flash('notice', { text: 'Signed in' });
        await s.save();
        return s.id;
      });
      const token = browser.cookies.get('session') ?? '';
      const now = h.clock.now();
      const stored = await store.read(await sessionKey(prefix, token));
      if (typeof stored === 'string') {
        expect(stored).toBe(
          `j{"i":"${id}","a":${now},"u":"ada","d":{"count":1,"name":"Ada ✓ \\"quoted\\" \\\\"},"f":{"notice":{"text":"Signed in"}}}`,
        );
      } else {
        expect(stored).toEqual({
          _id: `j"${id}"`,
          _a: `j${now}`,
          _u: 'j"ada"',
          'd.count': 'j1',
          'd.name': 'j"Ada ✓ \\"quoted\\" \\\\"',
          'f.notice': 'j{"text":"Signed in"}',
        });
      }
      expect(await store.index(await indexKey(prefix, 'ada'))).toEqual({
        [await sha256Base64url(token)]: now + MAX_AGE * 1000,
      });
    });
  });
}
