// The round-trip figures of docs/stores.md for Redis, KV and PostgreSQL ("Store-backed
// sessions", "Round trips"), counted rather than assumed: socket writes of a
// private ioredis connection (requests are awaited one by one, so one write is
// one round trip), HTTP requests reaching a private KV bridge, and the waits of
// PostgreSQL's wire protocol through a counting proxy (test/servers/pg-proxy.ts).
import { createClient } from '@vercel/kv';
import { Cluster, Redis } from 'ioredis';
import { NextRequest, type NextResponse } from 'next/server.js';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix, uniqueTable } from '../../test/servers/isolation.ts';
import { type KvBridge, startKvBridge } from '../../test/servers/kv-bridge.ts';
import { type PgProxy, startPgProxy } from '../../test/servers/pg-proxy.ts';
import { kvStorage } from '../entries/kv.ts';
import { postgresStorage } from '../entries/postgres.ts';
import { redisStorage } from '../entries/redis.ts';
import { withSessionRequest } from '../entries/testing.ts';
import { createSessionKit, type SessionKit } from '../next/kit.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { renderOf } from '../test-utils/proxy-render.ts';
import type { SessionStorage } from './types.ts';

type Data = { user?: string; count?: number };

const IDLE = 600; // touchAfter defaults to a tenth: 60 s

interface Counted {
  storage(options?: { maxSessionsPerUser?: number }): SessionStorage;
  /** Round trips so far. */
  trips(): number;
}

let redis: Redis;
let redisWrites = 0;
let countedStream: unknown;
let bridge: KvBridge;
let pgProxy: PgProxy;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const servers = inject('servers');
  // Connected up front and never pipelined behind our back: every write counted below is a command.
  redis = new Redis(servers.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const stream = redis.stream;
  countedStream = stream;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    redisWrites++;
    return write(...args);
  }) as typeof stream.write;
  bridge = await startKvBridge({ redisUrl: servers.kv.redisUrl });
  pgProxy = await startPgProxy(servers.postgres);
});

afterAll(async () => {
  redis?.disconnect();
  await bridge?.stop();
  await Promise.allSettled(closers.map((close) => close()));
  await pgProxy?.close();
});

// One connection each, so the warm-up prepares every statement the counted requests use.
function pgCounted(client: 'pg' | 'postgres.js'): Counted {
  let sqlClient: pg.Pool | postgres.Sql;
  if (client === 'pg') {
    const pool = new pg.Pool({ connectionString: pgProxy.url, max: 1 });
    pool.on('error', () => {});
    closers.push(() => pool.end());
    sqlClient = pool;
  } else {
    const sql = postgres(pgProxy.url, { max: 1, onnotice: () => {} });
    closers.push(() => sql.end({ timeout: 1 }));
    sqlClient = sql;
  }
  return {
    storage: (o = {}) => postgresStorage({ client: sqlClient, table: uniqueTable('trips'), ...o }),
    trips: () => pgProxy.trips(),
  };
}

const targets: Array<{
  name: string;
  counted: () => Counted;
  loginWithUser: number;
  pastLimit: number;
  /** A load due an idle refresh: 1 where the store refreshes within the load (`touchOnGet`). */
  dueRefresh: number;
}> = [
  {
    name: 'redis',
    counted: () => ({
      storage: (o = {}) => redisStorage({ client: redis, keyPrefix: uniquePrefix('trips'), ...o }),
      trips: () => {
        if (redis.stream !== countedStream) throw new Error('the counted connection reconnected');
        return redisWrites;
      },
    }),
    loginWithUser: 1,
    // List (the index, then the records), then delete the oldest: records and index in one pipeline.
    pastLimit: 3,
    dueRefresh: 1,
  },
  {
    name: 'kv',
    counted: () => {
      const client = createClient({ url: bridge.url, token: bridge.token });
      return {
        storage: (o = {}) => kvStorage({ client, keyPrefix: uniquePrefix('trips'), ...o }),
        trips: () => bridge.requests(),
      };
    },
    // The index entry is written only after the session's record: they travel separately.
    loginWithUser: 2,
    // List (the index, then the records), then delete the oldest: the records, then the index entry.
    pastLimit: 4,
    dueRefresh: 1,
  },
  ...(['pg', 'postgres.js'] as const).map((client) => ({
    name: `postgres (${client})`,
    counted: () => pgCounted(client),
    // The insert, then the listing: a count in the insert could not see a concurrent login's row.
    loginWithUser: 2,
    // Past the limit, the oldest are deleted: one statement.
    pastLimit: 1,
    // The refresh rides on the load: one UPDATE … RETURNING combined with the SELECT.
    dueRefresh: 1,
  })),
];

describe.each(targets)('round trips of a guarded request: $name', ({ counted }) => {
  let store: Counted;
  let kit: SessionKit<Data>;
  let guard: (request: NextRequest) => Promise<NextResponse>;
  let cookie: string;

  async function trips<T>(fn: () => Promise<T>): Promise<number> {
    const before = store.trips();
    await fn();
    return store.trips() - before;
  }

  /** proxy.ts, then the render of the same request, as Next passes it on. */
  async function guarded<T>(
    fn: () => Promise<T>,
    method = 'GET',
  ): Promise<{ result: T | undefined; cookies: Record<string, string> }> {
    const incoming = new NextRequest(new URL('/dashboard', 'http://app.test'), {
      method,
      headers: { cookie: `session=${cookie}` },
    });
    const render = renderOf(await guard(incoming), incoming);
    return withSessionRequest({ ...render, readOnly: method === 'GET' }, fn);
  }

  beforeAll(async () => {
    store = counted();
    kit = createSessionKit<Data>({ storage: store.storage(), maxAge: 3600, idleTimeout: IDLE });
    guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    const login = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: 'ada' });
      s.set('user', 'ada');
      await s.save();
    });
    cookie = login.cookies.session ?? '';
    // Once uncounted, a read and a save, so every script (or prepared statement) is known to the server.
    await guarded(async () => (await kit.getSession()).get('user'));
    await guarded(async () => {
      const s = await kit.getSession();
      s.set('count', 1);
      await s.save();
    }, 'POST');
  });

  it('a guarded page that reads the session: one round trip in all (the guard’s load, handed to the page)', async () => {
    let user: string | undefined;
    const cost = await trips(async () => {
      user = (await guarded(async () => (await kit.getSession()).get('user'))).result;
    });
    expect(user).toBe('ada');
    expect(cost).toBe(1);
  });

  it('a guarded Server Action that saves: the load, then the save; the save merges as ever', async () => {
    const cost = await trips(() =>
      guarded(async () => {
        const s = await kit.getSession();
        s.set('count', 7);
        await s.save();
      }, 'POST'),
    );
    expect(cost, 'load + save').toBe(2);
    const after = await guarded(async () => (await kit.getSession()).data);
    expect(after.result).toEqual({ user: 'ada', count: 7 });
  });

  it('a session revoked after the guard loaded it ends with that request', async () => {
    const browser = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: 'revoked' });
      s.set('user', 'revoked');
      await s.save();
    });
    const revoked = browser.cookies.session ?? '';
    const incoming = new NextRequest(new URL('/dashboard', 'http://app.test'), {
      headers: { cookie: `session=${revoked}` },
    });
    const render = renderOf(await guard(incoming), incoming);
    // "Sign out everywhere" in this process (say, the Server Action of this very request)
    // also drops the sessions waiting for a render: this render loads, and finds it ended.
    await kit.destroyUserSessions('revoked');
    const same = await withSessionRequest(render, async () => (await kit.getSession()).isNew);
    expect(same.result).toBe(true);
    // A replay of the id loads too, and finds nothing.
    const replay = await withSessionRequest(render, async () => (await kit.getSession()).isNew);
    expect(replay.result).toBe(true);
  });
});

describe.each(targets)('round trips: $name', ({ counted, loginWithUser, pastLimit, dueRefresh }) => {
  let store: Counted;
  let h: Harness<Data>;

  /** Round trips one request costs. */
  async function trips<T>(fn: () => Promise<T>): Promise<number> {
    const before = store.trips();
    await fn();
    return store.trips() - before;
  }

  beforeAll(async () => {
    store = counted();
    h = new Harness<Data>(
      { storage: store.storage({ maxSessionsPerUser: 3 }), maxAge: 3600, idleTimeout: IDLE },
      new Clock(Date.now()),
    );
    // Once uncounted, so every script the kit uses is already known to the server (a first
    // use costs one more round trip: EVALSHA answered NOSCRIPT, then EVAL).
    const warm = new TestBrowser();
    await h.request(warm, async (_s, { newSession }) => {
      const s = newSession('warm-up');
      s.set('count', 1);
      await s.save();
    });
    h.clock.advance(120);
    await h.request(warm, async (s) => {
      s.flash('n', 1);
      await s.save();
    });
    await h.request(warm, (s) => s.getFlash('n'));
    for (let device = 0; device < 4; device++) {
      await h.request(new TestBrowser(), async (_s, { newSession }) => {
        const s = newSession('warm-up-limit'); // past maxSessionsPerUser: the scripts that end sessions
        s.set('count', device);
        await s.save();
      });
    }
  });

  it('a login with a user id, a load, a save; a request that changes nothing writes nothing', async () => {
    const browser = new TestBrowser();
    const login = await trips(() =>
      h.request(browser, async (_s, { newSession }) => {
        const s = newSession('ada');
        s.set('user', 'ada');
        await s.save();
      }),
    );
    expect(login, 'a login with a userId (record, then index entry)').toBe(loginWithUser);

    expect(await trips(() => h.request(browser, (s) => s.get('user'))), 'load only').toBe(1);
    expect(
      await trips(() => h.request(browser, (s) => s.save())),
      'load, then save() of an unchanged session: nothing written',
    ).toBe(1);
    expect(
      await trips(() =>
        h.request(browser, async (s) => {
          s.set('count', 1);
          await s.save();
        }),
      ),
      'load + save',
    ).toBe(2);
  });

  it('maxSessionsPerUser (3): nothing extra within the limit, a listing and a delete past it', async () => {
    const devices = [new TestBrowser(), new TestBrowser(), new TestBrowser(), new TestBrowser()];
    const costs: number[] = [];
    for (const browser of devices) {
      h.clock.advance(1); // the newest logins win: give each its own creation time
      costs.push(
        await trips(() =>
          h.request(browser, async (_s, { newSession }) => {
            const s = newSession('hopper');
            s.set('user', 'hopper');
            await s.save();
          }),
        ),
      );
    }
    expect(costs.slice(0, 3), 'the index lists at most 3 sessions: a plain login').toEqual([
      loginWithUser,
      loginWithUser,
      loginWithUser,
    ]);
    expect(
      (costs[3] ?? 0) - loginWithUser,
      'the 4th login reads the sessions, deletes the oldest, updates the index',
    ).toBe(pastLimit);
    expect(await trips(() => h.request(devices[0] as TestBrowser, (s) => s.get('user')))).toBe(1);
    expect(await h.request(devices[0] as TestBrowser, (s) => s.get('user')), 'signed out').toBeUndefined();
  });

  it('a load due an idle refresh costs one where the refresh rides on the load', async () => {
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('grace');
      s.set('user', 'grace');
      await s.save();
    });
    h.clock.advance(IDLE / 10); // touchAfter reached
    expect(await trips(() => h.request(browser, (s) => s.get('user'))), 'due: load and refresh').toBe(
      dueRefresh,
    );
    expect(await trips(() => h.request(browser, (s) => s.get('user'))), 'refreshed: one again').toBe(1);
    // The refresh took: past the first idle expiry (measured from the login), the session lives.
    h.clock.advance(IDLE - IDLE / 10 + 30);
    expect(await h.request(browser, (s) => s.get('user')), 'the idle expiry slid').toBe('grace');
  });

  it('getFlash() with messages pending costs one more: they are taken out of the store', async () => {
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('linus');
      s.flash('notice', 'hello');
      await s.save();
    });
    expect(await trips(() => h.request(browser, (s) => s.getFlash('notice')))).toBe(2);
    expect(await trips(() => h.request(browser, (s) => s.getFlash('notice'))), 'none left').toBe(1);
  });

  it('a login without a user id, replacing an anonymous session: one, its old record deleted in it', async () => {
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
    });
    const login = await trips(() =>
      h.request(browser, async (_s, { newSession }) => {
        const s = newSession();
        s.set('user', 'anon');
        await s.save();
      }),
    );
    expect(login, 'load + (new record and old one deleted)').toBe(2);
  });
});

// On a Cluster the client keeps a connection per node; every command a
// request sends is counted where ioredis routes it (one command awaited
// alone is one round trip).
describe('round trips: redis-cluster', () => {
  let cluster: Cluster;
  let commands = 0;

  beforeAll(async () => {
    const servers = inject('servers');
    cluster = new Cluster(
      servers.cluster.nodes.map((n) => ({ host: n.host, port: n.port })),
      { redisOptions: { maxRetriesPerRequest: 1 } },
    );
    const send = cluster.sendCommand.bind(cluster);
    cluster.sendCommand = ((...args: Parameters<typeof send>) => {
      commands++;
      return send(...args);
    }) as typeof cluster.sendCommand;
  });

  afterAll(() => cluster?.disconnect());

  it('a load due an idle refresh costs one: the refresh rides on the load', async () => {
    const h = new Harness<Data>(
      {
        storage: redisStorage({ client: cluster, keyPrefix: uniquePrefix('trips') }),
        maxAge: 3600,
        idleTimeout: IDLE,
      },
      new Clock(Date.now()),
    );
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession('grace');
      s.set('user', 'grace');
      await s.save();
    });
    await h.request(browser, (s) => s.get('user')); // every script known to every node from now on
    h.clock.advance(IDLE / 10);
    await h.request(browser, (s) => s.get('user'));
    h.clock.advance(IDLE / 10);
    const before = commands;
    expect(await h.request(browser, (s) => s.get('user'))).toBe('grace');
    expect(commands - before, 'due: load and refresh at once').toBe(1);
    h.clock.advance(IDLE - IDLE / 10 + 30);
    expect(await h.request(browser, (s) => s.get('user')), 'the idle expiry slid').toBe('grace');
  });
});
