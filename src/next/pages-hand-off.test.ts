// The guard's hand-off to a Pages Router request (`kit.pages(req, res)`), as
// Next serves it: proxy.ts runs the guard on a NextRequest, then Next passes
// the forwarded request headers on to getServerSideProps or the API route,
// here a real Node http server. Store round trips are counted at the store:
// socket writes of a private ioredis connection (one request at a time, so a
// write is a round trip) and HTTP requests reaching a private KV bridge.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from '@vercel/kv';
import { Redis } from 'ioredis';
import { NextRequest, type NextResponse } from 'next/server.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { type KvBridge, startKvBridge } from '../../test/servers/kv-bridge.ts';
import { kvStorage } from '../entries/kv.ts';
import { redisStorage } from '../entries/redis.ts';
import { withSessionRequest } from '../entries/testing.ts';
import type { SessionStorage } from '../storage/types.ts';
import { renderOf } from '../test-utils/proxy-render.ts';
import { HAND_OFF_HEADER } from './hand-off.ts';
import { createSessionKit, type SessionKit } from './kit.ts';

type Data = { user?: string; count?: number };
type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

let redis: Redis;
let redisWrites = 0;
let countedStream: unknown;
let bridge: KvBridge;
let server: Server;
let origin: string;
let handler: Handler = async () => {};

beforeAll(async () => {
  const servers = inject('servers');
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
  server = createServer((req, res) => {
    handler(req, res).then(
      () => {
        if (!res.writableEnded) res.end();
      },
      (error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  redis?.disconnect();
  await bridge?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

const targets: Array<{ name: string; storage: () => SessionStorage; trips: () => number }> = [
  {
    name: 'redis',
    storage: () => redisStorage({ client: redis, keyPrefix: uniquePrefix('pages-hand-off') }),
    trips: () => {
      if (redis.stream !== countedStream) throw new Error('the counted connection reconnected');
      return redisWrites;
    },
  },
  {
    name: 'kv',
    storage: () =>
      kvStorage({
        client: createClient({ url: bridge.url, token: bridge.token }),
        keyPrefix: uniquePrefix('pages-hand-off'),
      }),
    trips: () => bridge.requests(),
  },
];

interface Seen {
  user: string | null;
  isNew: boolean;
  count: number;
}

/** getServerSideProps (or an API route) reading the session. */
const readPage =
  (kit: SessionKit<Data>): Handler =>
  async (req, res) => {
    const session = await kit.pages(req, res).getSession();
    const seen: Seen = {
      user: session.get('user') ?? null,
      isNew: session.isNew,
      count: session.get('count') ?? 0,
    };
    res.end(JSON.stringify(seen));
  };

/** A request as the browser (or an attacker) sends it to the Pages Router, with no proxy in between. */
async function direct(
  fn: Handler,
  cookies: Record<string, string>,
  headers: Iterable<[string, string]> = [],
): Promise<Seen> {
  handler = fn;
  const all = new Headers([...headers]);
  const cookie = Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  if (cookie !== '') all.set('cookie', cookie);
  const response = await fetch(`${origin}/dashboard`, { headers: all });
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return JSON.parse(body) as Seen;
}

describe.each(targets)('the Pages Router behind the guard: $name', (target) => {
  let kit: SessionKit<Data>;
  let guard: (request: NextRequest) => Promise<NextResponse>;
  let cookie: string;

  async function trips(fn: () => Promise<unknown>): Promise<number> {
    const before = target.trips();
    await fn();
    return target.trips() - before;
  }

  /** proxy.ts, then what Next hands the Pages Router for the same request. */
  async function viaGuard(sessionCookie: string) {
    const incoming = new NextRequest(new URL('/dashboard', 'http://app.test'), {
      headers: { cookie: `session=${sessionCookie}` },
    });
    return renderOf(await guard(incoming), incoming);
  }

  async function guarded(fn: Handler): Promise<Seen> {
    const render = await viaGuard(cookie);
    return direct(fn, render.cookies, render.headers);
  }

  async function login(user: string): Promise<string> {
    const res = await withSessionRequest({}, async () => {
      const s = await kit.newSession({ userId: user });
      s.set('user', user);
      await s.save();
    });
    return res.cookies.session ?? '';
  }

  beforeAll(async () => {
    kit = createSessionKit<Data>({ storage: target.storage(), maxAge: 3600, idleTimeout: 600 });
    guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });
    cookie = await login('ada');
    // Once uncounted: every script known to the server.
    await guarded(readPage(kit));
  });

  it('a getServerSideProps page or API route that reads the session: one round trip in all', async () => {
    for (let i = 0; i < 3; i++) {
      let seen: Seen | undefined;
      const cost = await trips(async () => {
        seen = await guarded(readPage(kit));
      });
      expect(seen).toEqual({ user: 'ada', isNew: false, count: 0 });
      expect(cost, 'the guard’s load, handed to pages(req, res)').toBe(1);
    }
  });

  it('hasSession() takes the hand-off, and getSession() after it uses that session', async () => {
    let seen: Seen | undefined;
    const cost = await trips(async () => {
      seen = await guarded(async (req, res) => {
        const pages = kit.pages(req, res);
        const has = await pages.hasSession();
        const session = await pages.getSession();
        res.end(JSON.stringify({ user: has ? (session.get('user') ?? null) : null, isNew: false, count: 0 }));
      });
    });
    expect(seen?.user).toBe('ada');
    expect(cost).toBe(1);
  });

  it('a save from the handed session is a normal save (the load, then the save)', async () => {
    const cost = await trips(() =>
      guarded(async (req, res) => {
        const session = await kit.pages(req, res).getSession();
        session.set('count', 5);
        await session.save();
        res.end(JSON.stringify({ user: session.get('user') ?? null, isNew: false, count: 5 }));
      }),
    );
    expect(cost, 'load + save').toBe(2);
    expect(await direct(readPage(kit), { session: cookie })).toEqual({ user: 'ada', isNew: false, count: 5 });
  });

  it('a hand-off id the client sends straight to the Pages Router is ignored: its own cookie is loaded', async () => {
    const made = 'f'.repeat(32);
    let seen: Seen | undefined;
    const cost = await trips(async () => {
      seen = await direct(readPage(kit), { session: cookie }, [[HAND_OFF_HEADER, made]]);
    });
    expect(seen?.user).toBe('ada');
    expect(cost, 'its own load').toBe(1);
  });

  it('another request’s id (leaked), sent without the proxy, gives nothing: the sender’s own cookie decides', async () => {
    const render = await viaGuard(cookie);
    const id = render.headers.get(HAND_OFF_HEADER) ?? '';
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // No cookie at all: no session, whatever the id.
    expect(await direct(readPage(kit), {}, [[HAND_OFF_HEADER, id]])).toEqual({
      user: null,
      isNew: true,
      count: 0,
    });
    // Another user's cookie: that user's own session, loaded from the store.
    const mallory = await login('mallory');
    let seen: Seen | undefined;
    const cost = await trips(async () => {
      seen = await direct(readPage(kit), { session: mallory }, [[HAND_OFF_HEADER, id]]);
    });
    expect(seen?.user).toBe('mallory');
    expect(cost).toBe(1);
  });

  it('is taken once: a replay of the forwarded headers loads as usual', async () => {
    const render = await viaGuard(cookie);
    expect((await direct(readPage(kit), render.cookies, render.headers)).user).toBe('ada');
    let seen: Seen | undefined;
    const cost = await trips(async () => {
      seen = await direct(readPage(kit), render.cookies, render.headers);
    });
    expect(seen?.user).toBe('ada');
    expect(cost, 'loaded from the store again').toBe(1);
  });
});
