import type { Cluster, Redis } from 'ioredis';
import { uniquePrefix, uniqueTable } from '../../test/servers/isolation.ts';
import { kvStorage } from '../entries/kv.ts';
import { memcachedStorage } from '../entries/memcached.ts';
import { postgresStorage } from '../entries/postgres.ts';
import { redisStorage } from '../entries/redis.ts';
import { sqliteStorage } from '../entries/sqlite.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { MemoryMaps } from '../storage/memory/adapter.ts';
import { memoryStorageOn } from '../storage/memory-storage.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import { sha256Base64url } from '../storage/store/token.ts';
import type { SessionStorage } from '../storage/types.ts';
import { serverClients } from './clients.ts';
import { postgresClients, sqliteDatabases } from './sql-clients.ts';

/** Direct access to what a store holds, for assertions (never used by the kit itself). */
export interface StoreInspector {
  /** Milliseconds left on the key, or `undefined` where the store cannot say (memcached). */
  pttl(key: string): Promise<number | undefined>;
  exists(key: string): Promise<boolean>;
  /** Overwrites the stored record with something that is not a session. */
  corrupt(key: string): Promise<void>;
}

/** One storage under test, built fresh (with its own key prefix) per kit. */
export interface Target {
  name: string;
  kind: 'cookie' | 'store';
  make(options?: { timeout?: number; touchAfter?: number; maxSessionsPerUser?: number }): {
    storage: SessionStorage;
    keyPrefix: string;
  };
  inspect?: StoreInspector;
  /** The store key of a token, given the prefix `make` used. */
  keyOf?(keyPrefix: string, token: string): Promise<string>;
}

const SECRET = 'conformance-secret-that-is-long-enough-01';
const keyOf = async (keyPrefix: string, token: string) => `${keyPrefix}s:${await sha256Base64url(token)}`;

function redisInspector(client: Redis | Cluster): StoreInspector {
  return {
    pttl: async (key) => client.pttl(key),
    exists: async (key) => (await client.exists(key)) === 1,
    corrupt: async (key) => {
      await client.hset(key, '_id', 'not-json');
    },
  };
}

/** Every storage the kit ships, wired to the real servers from the global setup. */
export function allTargets(): Target[] {
  const { redis, cluster, kvBacking, kv, upstash, memcached } = serverClients();
  return [
    {
      name: 'encrypted-cookie',
      kind: 'cookie',
      make: () => ({ storage: encryptedCookieStorage({ secret: SECRET }), keyPrefix: '' }),
    },
    {
      name: 'simple-cookie',
      kind: 'cookie',
      make: () => ({ storage: simpleCookieStorage(), keyPrefix: '' }),
    },
    {
      name: 'redis',
      kind: 'store',
      make: (o = {}) => {
        const keyPrefix = uniquePrefix('redis');
        return { storage: redisStorage({ client: redis, keyPrefix, ...o }), keyPrefix };
      },
      inspect: redisInspector(redis),
      keyOf,
    },
    {
      name: 'redis-cluster',
      kind: 'store',
      make: (o = {}) => {
        const keyPrefix = uniquePrefix('cluster');
        return { storage: redisStorage({ client: cluster, keyPrefix, ...o }), keyPrefix };
      },
      inspect: redisInspector(cluster),
      keyOf,
    },
    {
      name: 'kv',
      kind: 'store',
      make: (o = {}) => {
        const keyPrefix = uniquePrefix('kv');
        return { storage: kvStorage({ client: kv, keyPrefix, ...o }), keyPrefix };
      },
      inspect: redisInspector(kvBacking),
      keyOf,
    },
    {
      name: 'kv (@upstash/redis)',
      kind: 'store',
      make: (o = {}) => {
        const keyPrefix = uniquePrefix('upstash');
        return { storage: kvStorage({ client: upstash, keyPrefix, ...o }), keyPrefix };
      },
      inspect: redisInspector(kvBacking),
      keyOf,
    },
    {
      name: 'memcached',
      kind: 'store',
      make: (o = {}) => {
        const keyPrefix = uniquePrefix('mc');
        return { storage: memcachedStorage({ client: memcached, keyPrefix, ...o }), keyPrefix };
      },
      inspect: {
        pttl: async () => undefined,
        exists: async (key) => (await memcached.get(key)).value !== null,
        corrupt: async (key) => {
          await memcached.set(key, 'garbage', { expires: 60 });
        },
      },
      keyOf,
    },
    memoryTarget(),
    postgresTarget(),
    sqliteTarget(),
  ];
}

function sqliteTarget(): Target {
  const database = sqliteDatabases()();
  const split = (key: string) => key.split(' ') as [string, string];
  const expiresAt = (key: string) => {
    const [table, hash] = split(key);
    const row = database.prepare(`SELECT expires_at AS e FROM ${table} WHERE token_hash = ?`).get(hash) as
      | { e: number }
      | undefined;
    return row?.e;
  };
  return {
    name: 'sqlite',
    kind: 'store',
    make: (o = {}) => {
      const table = uniqueTable('conf');
      return { storage: sqliteStorage({ database, table, ...o }), keyPrefix: table };
    },
    inspect: {
      pttl: async (key) => {
        const at = expiresAt(key);
        return at === undefined ? -2 : at - Date.now();
      },
      exists: async (key) => {
        const at = expiresAt(key);
        return at !== undefined && at > Date.now();
      },
      corrupt: async (key) => {
        const [table, hash] = split(key);
        database.prepare(`UPDATE ${table} SET data = '"garbage"' WHERE token_hash = ?`).run(hash);
      },
    },
    keyOf: async (table, token) => `${table} ${await sha256Base64url(token)}`,
  };
}

// A SQL store has no key prefix: each kit gets its own table, and the key the
// inspector receives is `<table> <token hash>`.
function postgresTarget(): Target {
  const { pool } = postgresClients();
  const split = (key: string) => key.split(' ') as [string, string];
  const row = async (key: string) => {
    const [table, hash] = split(key);
    const { rows } = await pool.query<{ expires_at: string }>(
      `SELECT expires_at FROM ${table} WHERE token_hash = $1`,
      [hash],
    );
    return rows[0] === undefined ? undefined : Number(rows[0].expires_at);
  };
  return {
    name: 'postgres',
    kind: 'store',
    make: (o = {}) => {
      const table = uniqueTable('conf');
      return { storage: postgresStorage({ client: pool, table, ...o }), keyPrefix: table };
    },
    inspect: {
      pttl: async (key) => {
        const expiresAt = await row(key);
        return expiresAt === undefined ? -2 : expiresAt - Date.now();
      },
      exists: async (key) => {
        const expiresAt = await row(key);
        return expiresAt !== undefined && expiresAt > Date.now();
      },
      corrupt: async (key) => {
        const [table, hash] = split(key);
        await pool.query(`UPDATE ${table} SET data = '"garbage"' WHERE token_hash = $1`, [hash]);
      },
    },
    keyOf: async (table, token) => `${table} ${await sha256Base64url(token)}`,
  };
}

// memoryStorage(): one storage (and one set of maps) per kit, like the stores'
// unique prefixes; the inspector finds a key in whichever of them holds it.
function memoryTarget(): Target {
  const made: MemoryMaps[] = [];
  const entry = (key: string) => {
    for (const maps of made) {
      const found = maps.records.get(key);
      if (found !== undefined) return { found };
    }
    return undefined;
  };
  return {
    name: 'memory',
    kind: 'store',
    make: (o = {}) => {
      const keyPrefix = uniquePrefix('mem');
      const maps = new MemoryMaps();
      const storage = memoryStorageOn(maps, { keyPrefix, ...o });
      made.push(maps);
      return { storage, keyPrefix };
    },
    inspect: {
      pttl: async (key) => {
        const hit = entry(key);
        return hit === undefined ? -2 : hit.found.expiresAt - Date.now();
      },
      exists: async (key) => {
        const hit = entry(key);
        return hit !== undefined && hit.found.expiresAt > Date.now();
      },
      corrupt: async (key) => {
        const hit = entry(key);
        if (hit !== undefined) hit.found.text = 'garbage';
      },
    },
    keyOf,
  };
}
