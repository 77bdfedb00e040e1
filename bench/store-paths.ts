import { Redis } from 'ioredis';
import type { SessionImpl } from '../src/session.ts';
import type { SessionState } from '../src/storage/types.ts';
import type { CookieJar } from '../src/types.ts';
import { kit as defaultKit, type Kit, lifetimeOptions } from './kit.ts';
import type { SessionPayload } from './payloads.ts';

export type StorePathId = 'raw' | 'raw-kit-commands' | 'nsk-storage' | 'nsk-engine';

/** One request in its two halves, so round trips can be counted per half. */
export interface Flow {
  load(): Promise<void>;
  save(): Promise<void>;
  /** `count` as the last load saw it: proves every save reached Redis. */
  loadedCount(): number;
}

/** What one client put on the wire, counted on the client side. */
export interface WireCounter {
  /** `write` calls on the client's socket: one per round trip when requests are awaited one by one. */
  writes: number;
  /** Commands handed to ioredis, by name (a pipeline's commands count one by one). */
  readonly sent: Map<string, number>;
  /** Throws if the client reconnected: the counts would then miss the new socket. */
  assertSameSocket(): void;
}

export interface StorePath {
  readonly id: StorePathId;
  readonly label: string;
  readonly client: Redis;
  readonly wire: WireCounter;
  readonly flow: Flow;
}

const MAX_AGE_S = 14 * 24 * 60 * 60;
const COOKIE_NAME = 'session';

export const PATH_LABELS: Record<StorePathId, string> = {
  raw: 'raw ioredis: GET, then SET … EX',
  'raw-kit-commands': 'raw ioredis, the kit’s commands: HGETALL, then EVALSHA of its save script',
  'nsk-storage': 'next-session-kit redisStorage: load, then save (1 key changed)',
  'nsk-engine': 'next-session-kit engine: load cookie → set 1 key → save()',
};

/** The session every path stores: the bench payload plus the counter each request bumps. */
export function storeData(payload: SessionPayload): SessionPayload {
  return { ...structuredClone(payload), count: payload.count ?? 0 };
}

/** A connected client with its socket writes and commands counted. */
async function countedClient(host: string, port: number): Promise<{ client: Redis; wire: WireCounter }> {
  // The same options for every path; no auto-pipelining, so nothing is batched behind our back.
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  const stream = client.stream;
  const sent = new Map<string, number>();
  const wire: WireCounter = {
    writes: 0,
    sent,
    assertSameSocket() {
      if (client.stream !== stream) throw new Error('a bench Redis client reconnected; its counts are void');
    },
  };
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    wire.writes++;
    return write(...args);
  }) as typeof stream.write;
  const sendCommand = client.sendCommand.bind(client);
  client.sendCommand = (...args: Parameters<Redis['sendCommand']>) => {
    const name = args[0].name.toLowerCase();
    sent.set(name, (sent.get(name) ?? 0) + 1);
    return sendCommand(...args);
  };
  return { client, wire };
}

/** The least an app can do: the session as one JSON string under one key. */
async function rawFlow(client: Redis, key: string, data: SessionPayload): Promise<Flow> {
  await client.set(key, JSON.stringify(data), 'EX', MAX_AGE_S);
  let loaded: SessionPayload | undefined;
  return {
    async load() {
      const json = await client.get(key);
      if (json === null) throw new Error('raw baseline: key vanished');
      loaded = JSON.parse(json) as SessionPayload;
    },
    async save() {
      if (loaded === undefined) throw new Error('raw baseline: save before load');
      loaded.count = Number(loaded.count) + 1;
      await client.set(key, JSON.stringify(loaded), 'EX', MAX_AGE_S);
    },
    loadedCount: () => Number(loaded?.count),
  };
}

/**
 * The kit's two commands with the kit's arguments but none of its code:
 * splits the gap to the baseline into what Redis and ioredis cost and what
 * the kit's own code costs.
 */
async function kitCommandsFlow(client: Redis, key: string, data: SessionPayload, kit: Kit): Promise<Flow> {
  const { SAVE, createSessionId } = kit;
  const sha = await kit.scriptSha(SAVE);
  const expiresAt = String(Date.now() + MAX_AGE_S * 1000);
  const meta = ['_id', `j"${createSessionId(Date.now())}"`, '_a', `j${Date.now()}`];
  const fields = [
    ...meta,
    ...Object.entries(data).flatMap(([name, value]) => [`d.${name}`, `j${JSON.stringify(value)}`]),
  ];
  await client.eval(SAVE.source, 1, key, 'create', expiresAt, String(fields.length / 2), ...fields);
  let loaded: Record<string, string> | undefined;
  return {
    async load() {
      loaded = await client.hgetall(key);
    },
    async save() {
      const next = `j${Number(loaded?.['d.count']?.slice(1)) + 1}`;
      if ((await client.evalsha(sha, 1, key, 'merge', expiresAt, '3', ...meta, 'd.count', next)) !== 1) {
        throw new Error('kit commands: save script found no session');
      }
    },
    loadedCount: () => Number(loaded?.['d.count']?.slice(1)),
  };
}

/** The bound storage alone, called as the engine calls it. */
async function storageFlow(client: Redis, keyPrefix: string, data: SessionPayload, kit: Kit): Promise<Flow> {
  const storage = kit.redisStorage({ client, keyPrefix }).create({
    cookieName: COOKIE_NAME,
    ...lifetimeOptions(kit, MAX_AGE_S),
    now: Date.now,
  });
  const createdAt = Date.now();
  const expiresAt = createdAt + MAX_AGE_S * 1000;
  const first: SessionState = {
    id: kit.createSessionId(createdAt),
    data,
    createdAt,
    lastActiveAt: createdAt,
  };
  const created = await storage.save({
    state: first,
    handle: undefined,
    previous: [],
    changedKeys: [],
    cleared: true,
    expiresAt,
  });
  if (created === null) throw new Error('redisStorage: create returned null');
  const token = created;
  let loaded: SessionState | undefined;
  return {
    async load() {
      const result = await storage.load(token);
      if (result.status !== 'found') throw new Error(`redisStorage rejected its own token: ${result.reason}`);
      loaded = result.state;
    },
    async save() {
      if (loaded === undefined) throw new Error('redisStorage: save before load');
      loaded.data.count = Number(loaded.data.count) + 1;
      loaded.lastActiveAt = Date.now();
      // One object literal per save, as the engine passes it.
      const input = {
        state: loaded,
        handle: token,
        previous: [],
        changedKeys: ['count'],
        cleared: false,
        expiresAt,
      };
      if ((await storage.save(input)) !== token) {
        throw new Error('redisStorage: merge save did not keep the token');
      }
    },
    loadedCount: () => Number(loaded?.data.count),
  };
}

/** A browser's cookies for one site, and the per-request jar the engine reads and writes. */
function jarFor(cookies: Map<string, string>): CookieJar {
  return {
    get: (name) => {
      const value = cookies.get(name);
      return value === undefined ? undefined : { name, value };
    },
    getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
    set: (name, value, options) => {
      if (options.maxAge === 0) cookies.delete(name);
      else cookies.set(name, value);
    },
  };
}

/** Everything the kit does per request: cookie read, load, set, save, cookie write decision. */
async function engineFlow(client: Redis, keyPrefix: string, data: SessionPayload, kit: Kit): Promise<Flow> {
  const engine = new kit.SessionEngine({
    storage: kit.redisStorage({ client, keyPrefix }),
    cookieName: COOKIE_NAME,
    maxAge: MAX_AGE_S,
  });
  const cookies = new Map<string, string>();
  const open = (): Promise<SessionImpl> => {
    const jar = jarFor(cookies);
    return engine.load(jar, (session) => engine.commit(session, jar, false), false);
  };
  const first = await open();
  for (const [key, value] of Object.entries(data)) first.set(key, value);
  await first.save();
  if (!cookies.has(COOKIE_NAME)) throw new Error('engine: first save set no cookie');

  let session: SessionImpl | undefined;
  return {
    async load() {
      session = await open();
      if (session.isNew) throw new Error('engine: the stored session did not load');
    },
    async save() {
      if (session === undefined) throw new Error('engine: save before load');
      session.set('count', Number(session.get('count')) + 1);
      await session.save();
    },
    loadedCount: () => Number(session?.get('count')),
  };
}

/** One path on its own connection, with its session stored and ready to load. */
export async function createStorePath(
  id: StorePathId,
  server: { host: string; port: number },
  payloadId: string,
  payload: SessionPayload,
  kit: Kit = defaultKit,
): Promise<StorePath> {
  const { client, wire } = await countedClient(server.host, server.port);
  const data = storeData(payload);
  const key = `bench:${id}:${payloadId}:`;
  const flows: Record<StorePathId, () => Promise<Flow>> = {
    raw: () => rawFlow(client, key, data),
    'raw-kit-commands': () => kitCommandsFlow(client, key, data, kit),
    'nsk-storage': () => storageFlow(client, key, data, kit),
    'nsk-engine': () => engineFlow(client, key, data, kit),
  };
  const flow = await flows[id]();
  return { id, label: PATH_LABELS[id], client, wire, flow };
}
