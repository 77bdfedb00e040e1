// kit.pages(req, res) on Node's own IncomingMessage/ServerResponse: a real
// http server per file, a fetch client that keeps cookies like a browser, and
// real storages (cookie, memory, and Redis from test/servers). The App Router
// helpers of the same kit run through withSessionRequest (next-session-kit/testing),
// so both routers are shown to share one session.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { redisStorage } from '../entries/redis.ts';
import { withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError, SessionReadOnlyError } from '../errors.ts';
import { createSessionKit, type SessionKit } from '../index.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import type { SessionStorage } from '../storage/types.ts';
import { serverClients } from '../test-utils/clients.ts';
import type { InvalidSessionReason } from '../types.ts';

type Data = { user?: string; count?: number; blob?: string };
type Kit = SessionKit<Data>;
type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const SECRET = 'a-pages-router-secret-long-enough-0001';

let server: Server;
let origin: string;
let handler: Handler = async () => {};
let handlerError: unknown;

beforeAll(async () => {
  server = createServer((req, res) => {
    handlerError = undefined;
    handler(req, res).then(
      () => {
        if (!res.writableEnded) res.end();
      },
      (error: unknown) => {
        handlerError = error;
        if (!res.headersSent) res.statusCode = 500;
        if (!res.writableEnded) res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A browser's cookie store: what Set-Cookie lines leave it holding. */
class Browser {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  receive(lines: readonly string[]): void {
    for (const line of lines) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/;\s*max-age=0(;|$)/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

interface Reply {
  status: number;
  body: string;
  setCookie: string[];
  error: unknown;
}

/** One request from `browser` to the server, answered by `fn`. */
async function request(browser: Browser, fn: Handler, headers: Record<string, string> = {}): Promise<Reply> {
  handler = fn;
  const cookie = browser.header();
  const response = await fetch(`${origin}/`, {
    headers: { ...headers, ...(cookie === '' ? {} : { cookie }) },
    redirect: 'manual',
  });
  const body = await response.text();
  const setCookie = response.headers.getSetCookie();
  browser.receive(setCookie);
  return { status: response.status, body, setCookie, error: handlerError };
}

/** The lines that set a cookie (not those expiring one, such as a chunk a rival write may have left). */
const live = (lines: readonly string[]): string[] => lines.filter((line) => !/; Max-Age=0(;|$)/.test(line));

const login =
  (kit: Kit, user: string): Handler =>
  async (req, res) => {
    const session = await kit.pages(req, res).newSession({ userId: user });
    session.set('user', user);
    await session.save();
    res.end('ok');
  };

const whoAmI =
  (kit: Kit): Handler =>
  async (req, res) => {
    const session = await kit.pages(req, res).getSession();
    res.end(session.get('user') ?? 'guest');
  };

const logout =
  (kit: Kit): Handler =>
  async (req, res) => {
    await kit.pages(req, res).destroySession();
    res.end('bye');
  };

const { redis } = serverClients();

const storages: Array<{ name: string; storage: () => SessionStorage }> = [
  { name: 'cookie', storage: () => encryptedCookieStorage({ secret: SECRET }) },
  { name: 'memory', storage: () => memoryStorage() },
  { name: 'redis', storage: () => redisStorage({ client: redis, keyPrefix: uniquePrefix('pages') }) },
];

describe.each(storages)('kit.pages(req, res) on $name', ({ name, storage }) => {
  it('signs in, reads the session on the next request, and signs out', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    const browser = new Browser();
    expect((await request(browser, whoAmI(kit))).body).toBe('guest');
    const signedIn = await request(browser, login(kit, 'ada'));
    expect(signedIn.error).toBeUndefined();
    expect(live(signedIn.setCookie)).toHaveLength(1);
    expect(live(signedIn.setCookie)[0]).toMatch(
      /^session=[^;]+; Path=\/; Expires=.*; HttpOnly; SameSite=lax$/,
    );
    expect((await request(browser, whoAmI(kit))).body).toBe('ada');

    const out = await request(browser, logout(kit));
    expect(out.error).toBeUndefined();
    expect(out.setCookie.some((line) => /^session=; .*Max-Age=0/.test(line))).toBe(true);
    expect(browser.cookies.size).toBe(0);
    expect((await request(browser, whoAmI(kit))).body).toBe('guest');
  });

  it('shares the session with the App Router helpers of the same kit, both ways', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    // Pages Router login, seen by the App Router.
    const browser = new Browser();
    await request(browser, login(kit, 'ada'));
    const app = await withSessionRequest({ cookies: browser.cookies }, async () =>
      (await kit.getSession()).get('user'),
    );
    expect(app.result).toBe('ada');
    // App Router logout, seen by the Pages Router.
    const appOut = await withSessionRequest({ cookies: browser.cookies }, () => kit.destroySession());
    browser.cookies.clear();
    for (const [name, value] of Object.entries(appOut.cookies)) browser.cookies.set(name, value);
    expect((await request(browser, whoAmI(kit))).body).toBe('guest');

    // App Router login, seen by the Pages Router; Pages Router logout, seen by the App Router.
    const appIn = await withSessionRequest({}, async () => {
      const session = await kit.newSession({ userId: 'grace' });
      session.set('user', 'grace');
      await session.save();
    });
    const other = new Browser();
    for (const [name, value] of Object.entries(appIn.cookies)) other.cookies.set(name, value);
    const signedInCookies = new Map(other.cookies);
    expect((await request(other, whoAmI(kit))).body).toBe('grace');
    await request(other, logout(kit));
    expect(other.cookies.size).toBe(0);
    // Even the old cookie, replayed, no longer signs in (stores: the record is gone).
    const replay = await withSessionRequest({ cookies: other.cookies }, async () =>
      (await kit.getSession()).get('user'),
    );
    expect(replay.result).toBeUndefined();
    if (name !== 'cookie') {
      const replayed = await withSessionRequest({ cookies: signedInCookies }, async () =>
        (await kit.getSession()).get('user'),
      );
      expect(replayed.result).toBeUndefined();
    }
  });

  it('adds its Set-Cookie to the cookies the response already sets (string or array)', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    const asString = await request(new Browser(), async (req, res) => {
      res.setHeader('set-cookie', 'theme=dark; Path=/');
      await login(kit, 'ada')(req, res);
    });
    expect(asString.setCookie[0]).toBe('theme=dark; Path=/');
    expect(asString.setCookie[1]).toMatch(/^session=/);
    expect(live(asString.setCookie)).toHaveLength(2);

    const asArray = await request(new Browser(), async (req, res) => {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      const pages = kit.pages(req, res);
      const session = await pages.newSession();
      session.set('user', 'ada');
      await session.save();
      // Set after the kit's: the app's own code appends too, as it should.
      res.appendHeader('set-cookie', 'c=3; Path=/');
      res.end();
    });
    expect(live(asArray.setCookie).map((line) => line.split('=')[0])).toEqual(['a', 'b', 'session', 'c']);
  });

  it('sends one Set-Cookie per cookie when the session is saved twice in one request', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    const browser = new Browser();
    const reply = await request(browser, async (req, res) => {
      res.setHeader('set-cookie', 'theme=dark; Path=/');
      const session = await kit.pages(req, res).newSession();
      session.set('user', 'ada');
      await session.save();
      session.set('count', 1);
      await session.save();
      // A second kit.pages() of the same request is the same session.
      const again = await kit.pages(req, res).getSession();
      again.set('count', 2);
      await again.save();
      res.end(String(again === session));
    });
    expect(reply.error).toBeUndefined();
    expect(reply.body).toBe('true');
    expect(reply.setCookie.filter((line) => line.startsWith('session='))).toHaveLength(1);
    expect(reply.setCookie.filter((line) => line.startsWith('theme='))).toHaveLength(1);
    const read = await request(browser, async (req, res) => {
      const session = await kit.pages(req, res).getSession();
      res.end(`${session.get('user')}:${session.get('count')}`);
    });
    expect(read.body).toBe('ada:2');
  });

  it('refuses a save once the headers are sent, before touching the store', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    for (const send of [
      (res: ServerResponse) => res.end('done'),
      (res: ServerResponse) => res.flushHeaders(),
      (res: ServerResponse) => res.writeHead(200),
    ]) {
      let caught: unknown;
      const browser = new Browser();
      const reply = await request(browser, async (req, res) => {
        const pages = kit.pages(req, res);
        const session = await pages.newSession({ userId: 'ada' });
        session.set('user', 'ada');
        send(res);
        await session.save().catch((error: unknown) => {
          caught = error;
        });
        if (!res.writableEnded) res.end();
      });
      expect(reply.error).toBeUndefined();
      expect(caught).toBeInstanceOf(SessionReadOnlyError);
      expect((caught as SessionReadOnlyError).code).toBe('ERR_SESSION_READ_ONLY');
      expect((caught as Error).message).toMatch(/headers were already sent/);
      expect(reply.setCookie).toEqual([]);
      expect(browser.cookies.size).toBe(0);
    }
  });

  it('hasSession() tells a signed-in browser apart without writing anything', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    const browser = new Browser();
    const has: Handler = async (req, res) => {
      res.end(String(await kit.pages(req, res).hasSession()));
    };
    const before = await request(browser, has);
    expect(before.body).toBe('false');
    expect(before.setCookie).toEqual([]);
    await request(browser, login(kit, 'ada'));
    const after = await request(browser, has);
    expect(after.body).toBe('true');
    expect(after.setCookie).toEqual([]);
  });

  it('names the cookie __Host- on https (x-forwarded-proto), as the App Router does', async () => {
    const kit = createSessionKit<Data>({ storage: storage() });
    const browser = new Browser();
    const https = { 'x-forwarded-proto': 'https' };
    const reply = await request(browser, login(kit, 'ada'), https);
    expect(live(reply.setCookie)).toHaveLength(1);
    expect(live(reply.setCookie)[0]).toMatch(
      /^__Host-session=[^;]+; Path=\/; .*; Secure; HttpOnly; SameSite=lax$/,
    );
    expect((await request(browser, whoAmI(kit), https)).body).toBe('ada');
    // The App Router reads the same cookie on an https request.
    const app = await withSessionRequest(
      { cookies: browser.cookies, url: 'https://app.example/' },
      async () => (await kit.getSession()).get('user'),
    );
    expect(app.result).toBe('ada');
    // A plain `session` cookie is never read on https (as in the App Router).
    const plain = new Browser();
    await request(plain, login(kit, 'eve'));
    expect((await request(plain, whoAmI(kit), https)).body).toBe('guest');
  });
});

describe('kit.pages(req, res), cookie storage', () => {
  it('splits a large session into chunks and joins, shrinks and clears them', async () => {
    const kit = createSessionKit<Data>({ storage: encryptedCookieStorage({ secret: SECRET }) });
    const browser = new Browser();
    const big = 'x'.repeat(6000);
    const write = (blob: string | undefined): Handler => {
      return async (req, res) => {
        const session = await kit.pages(req, res).getSession();
        session.set('user', 'ada');
        if (blob === undefined) session.delete('blob');
        else session.set('blob', blob);
        await session.save();
        res.end();
      };
    };
    const large = await request(browser, write(big));
    expect(large.error).toBeUndefined();
    const chunks = [...browser.cookies.keys()].sort();
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks).toEqual(chunks.map((_, i) => `session.${i}`));
    const read = await request(browser, async (req, res) => {
      res.end((await kit.pages(req, res).getSession()).get('blob'));
    });
    expect(read.body).toBe(big);
    await request(browser, write(undefined));
    expect([...browser.cookies.keys()]).toEqual(['session']);
    expect((await request(browser, whoAmI(kit))).body).toBe('ada');
  });

  it('gives a tampered cookie a fresh session and reports it through onInvalidSession', async () => {
    const reasons: InvalidSessionReason[] = [];
    const kit = createSessionKit<Data>({
      storage: encryptedCookieStorage({ secret: SECRET }),
      onInvalidSession: (reason) => reasons.push(reason),
    });
    const browser = new Browser();
    await request(browser, login(kit, 'ada'));
    const value = browser.cookies.get('session') ?? '';
    browser.cookies.set('session', `${value.slice(0, -4)}AAAA`);
    const reply = await request(browser, whoAmI(kit));
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('guest');
    expect(reasons).toEqual(['invalid']);
  });

  it('keeps the sessions of two requests apart', async () => {
    const kit = createSessionKit<Data>({ storage: encryptedCookieStorage({ secret: SECRET }) });
    const ada = new Browser();
    const grace = new Browser();
    await request(ada, login(kit, 'ada'));
    await request(grace, login(kit, 'grace'));
    expect((await request(ada, whoAmI(kit))).body).toBe('ada');
    expect((await request(grace, whoAmI(kit))).body).toBe('grace');
  });
});

describe('kit.pages(req, res) mistakes', () => {
  it('says what it needs when called without a request and response', () => {
    const kit = createSessionKit<Data>({ storage: memoryStorage() });
    const call = () => kit.pages(undefined as unknown as IncomingMessage, {} as unknown as ServerResponse);
    expect(call).toThrow(SessionConfigError);
    expect(call).toThrow(/getServerSideProps/);
  });

  it('stores nothing when a save is refused after the response ended', async () => {
    const storage = memoryStorage();
    const kit = createSessionKit<Data>({ storage });
    const reply = await request(new Browser(), async (req, res) => {
      const session = await kit.pages(req, res).newSession({ userId: 'ada' });
      session.set('user', 'ada');
      res.end();
      await session.save();
    });
    expect(reply.error).toBeInstanceOf(SessionReadOnlyError);
    const sessionsOf = async (user: string) =>
      (await withSessionRequest({}, () => kit.listUserSessions(user))).result;
    expect(await sessionsOf('ada')).toEqual([]);
    // The same login, saved in time, is stored: the check above can see a record.
    await request(new Browser(), login(kit, 'ada'));
    expect(await sessionsOf('ada')).toHaveLength(1);
  });

  it('refuses even an unchanged save after the headers were sent (never a silent no-op)', async () => {
    const kit = createSessionKit<Data>({ storage: memoryStorage() });
    const reply = await request(new Browser(), async (req, res) => {
      const session = await kit.pages(req, res).getSession();
      res.end();
      await session.save();
    });
    expect(reply.error).toBeInstanceOf(SessionReadOnlyError);
  });

  it('warns outside production when a changed session is never saved', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const kit = createSessionKit<Data>({ storage: memoryStorage(), warnUnsaved: 'always' });
      await request(new Browser(), async (req, res) => {
        (await kit.pages(req, res).getSession()).set('count', 1);
        res.end();
      });
      await vi.waitFor(() => expect(warn).toHaveBeenCalled());
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/count.*never saved/);
      expect(String(warn.mock.calls[0]?.[0])).toContain('before getServerSideProps or the API route returns');
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the App Router helpers in the Pages Router', () => {
  it('say to use pages(req, res) instead of failing with Next\'s "outside a request scope"', async () => {
    const kit = createSessionKit<Data>({ storage: memoryStorage() });
    let caught: unknown;
    const reply = await request(new Browser(), async (_req, res) => {
      // What an API route or getServerSideProps calling getSession() gets: no App Router request.
      caught = await kit.getSession().catch((error: unknown) => error);
      res.end();
    });
    expect(reply.error).toBeUndefined();
    expect(caught).toBeInstanceOf(SessionConfigError);
    expect((caught as Error).message).toMatch(/use pages\(req, res\)/);
    await expect(kit.hasSession()).rejects.toBeInstanceOf(SessionConfigError);
    await expect(kit.newSession()).rejects.toBeInstanceOf(SessionConfigError);
  });
});
