// Which cookies make up a session when the jar holds both a whole `session`
// and `session.N` chunks, and why the kit's own writes never leave both.
import { RequestCookies, ResponseCookies } from 'next/dist/server/web/spec-extension/cookies';
import { describe, expect, it } from 'vitest';
import type { Session } from '../session.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { listJar } from '../test-utils/hostile.ts';
import type { CookieWriteOptions } from '../types.ts';
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie } from './chunks.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0001';
type Data = { user?: string; blob?: string };
const attrs: CookieWriteOptions = {
  path: '/',
  sameSite: 'lax',
  secure: true,
  httpOnly: true,
  maxAge: 60,
  expires: new Date(Date.UTC(2030, 0, 1)),
};

describe('readChunkedCookie: a whole cookie next to chunks', () => {
  it('trusts neither, whichever comes first', () => {
    const jars = [
      [
        { name: 'session', value: 'whole' },
        { name: 'session.0', value: 'chunk' },
      ],
      [
        { name: 'session.0', value: 'chunk' },
        { name: 'session', value: 'whole' },
      ],
      [
        { name: 'session.1', value: 'chunk' },
        { name: 'session', value: 'whole' },
        { name: 'session.0', value: 'chunk' },
      ],
      [
        { name: 'session', value: 'whole' },
        { name: 'session.9', value: 'surplus' },
      ],
    ];
    for (const jar of jars) {
      expect(readChunkedCookie(listJar(jar), 'session', 4)).toEqual({
        status: 'malformed',
        names: jar.map((c) => c.name),
      });
    }
  });

  it('never reads chunks without session.0: leftovers of an older value, listed for clearing', () => {
    const leftovers = [
      { name: 'session', value: 'whole' },
      { name: 'session.1', value: 'old' },
      { name: 'session.2', value: 'old' },
    ];
    expect(readChunkedCookie(listJar(leftovers), 'session', 4)).toEqual({
      status: 'present',
      value: 'whole',
      names: ['session', 'session.1', 'session.2'],
    });
    expect(readChunkedCookie(listJar(leftovers.slice(1)), 'session', 4)).toEqual({
      status: 'absent',
      names: ['session.1', 'session.2'],
    });
  });

  it('counts an empty cookie as absent: a deletion replayed by a client spoils nothing', () => {
    const replayed = [
      { name: 'session', value: 'whole' },
      { name: 'session.0', value: '' },
      { name: 'session.1', value: '' },
    ];
    expect(readChunkedCookie(listJar(replayed), 'session', 4)).toMatchObject({
      status: 'present',
      value: 'whole',
    });
    const chunked = [
      { name: 'session', value: '' },
      { name: 'session.0', value: 'a' },
      { name: 'session.1', value: 'b' },
    ];
    expect(readChunkedCookie(listJar(chunked), 'session', 4)).toMatchObject({
      status: 'present',
      value: 'ab',
    });
  });

  it('counts a cookie proxy.ts deleted as absent, as Next hands it to the render (with no value)', () => {
    const render = new RequestCookies(new Headers({ cookie: 'session=new' }));
    const proxyResponse = new Headers();
    proxyResponse.append('set-cookie', 'session=new; Path=/; Max-Age=60');
    proxyResponse.append(
      'set-cookie',
      'session.0=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0',
    );
    // What Next does with `x-middleware-set-cookie` before the render reads cookies().
    for (const cookie of new ResponseCookies(proxyResponse).getAll()) render.set(cookie);
    const jar = { get: (n: string) => render.get(n), getAll: () => render.getAll(), set: () => undefined };
    expect(readChunkedCookie(jar, 'session', 4)).toEqual({
      status: 'present',
      value: 'new',
      names: ['session', 'session.0'],
    });
  });

  it('reads either one alone', () => {
    expect(readChunkedCookie(listJar([{ name: 'session', value: 'w' }]), 'session', 4)).toMatchObject({
      status: 'present',
      value: 'w',
    });
    const chunks = [
      { name: 'session.1', value: 'b' },
      { name: 'session.0', value: 'a' },
    ];
    expect(readChunkedCookie(listJar(chunks), 'session', 4)).toMatchObject({
      status: 'present',
      value: 'ab',
    });
  });
});

describe('writes expire what a concurrent request may have written unseen', () => {
  const written = (maxChunks: number, value: string, existing: string[] = []) => {
    const browser = new TestBrowser();
    writeChunkedCookie(browser.request(), 'session', value, attrs, existing, maxChunks);
    return browser.lastWrites.map((w) => [w.name, w.options.maxAge]);
  };
  const chunk = 'x'.repeat(3900);

  it('one cookie: also expires session.0, the start of any chunked value', () => {
    expect(written(4, 'v')).toEqual([
      ['session', 60],
      ['session.0', 0],
    ]);
    expect(written(1, 'v'), 'nothing to expire without chunking').toEqual([['session', 60]]);
  });

  it('chunks: also expire the whole cookie and every later chunk slot', () => {
    expect(written(4, chunk.repeat(2))).toEqual([
      ['session.0', 60],
      ['session.1', 60],
      ['session', 0],
      ['session.2', 0],
      ['session.3', 0],
    ]);
  });

  it('still expires every other cookie the request carried', () => {
    expect(written(4, 'v', ['session.1', 'session.7'])).toEqual([
      ['session', 60],
      ['session.0', 0],
      ['session.1', 0],
      ['session.7', 0],
    ]);
  });

  it('clearing expires the whole cookie and session.0, and any other name the request carried', () => {
    const browser = new TestBrowser();
    clearChunkedCookie(browser.request(), 'session', ['session', 'session.7'], attrs, 2);
    expect(browser.lastWrites.map((w) => [w.name, w.options.maxAge])).toEqual([
      ['session', 0],
      ['session.0', 0],
      ['session.7', 0],
    ]);
  });
});

describe('concurrent requests whose responses land in either order', () => {
  /** Runs two requests on copies of `browser`'s jar, as a browser sends two at once. */
  async function concurrently(
    h: Harness<Data>,
    browser: TestBrowser,
    first: (s: Session<Data>) => Promise<void>,
    second: (s: Session<Data>) => Promise<void>,
  ) {
    const responses = [];
    for (const fn of [first, second]) {
      const copy = new TestBrowser();
      for (const [name, value] of browser.cookies) copy.cookies.set(name, value);
      await h.request(copy, fn, true);
      responses.push(copy.lastWrites);
    }
    return responses;
  }

  function land(browser: TestBrowser, writes: TestBrowser['lastWrites']): void {
    for (const { name, value, options } of writes) {
      if (options.maxAge === 0) browser.cookies.delete(name);
      else browser.cookies.set(name, value);
    }
  }

  async function signedIn(h: Harness<Data>): Promise<TestBrowser> {
    const browser = new TestBrowser();
    await h.request(
      browser,
      async (_s, { newSession }) => {
        const s = newSession('ada');
        s.set('user', 'ada');
        await s.save();
      },
      true,
    );
    return browser;
  }

  const grow = async (s: Session<Data>) => {
    s.set('blob', 'x'.repeat(7000));
    await s.save();
  };
  const touch = async (s: Session<Data>) => {
    s.set('user', 'ada 2');
    await s.save();
  };
  const logout = async (s: Session<Data>) => {
    s.invalidate();
    await s.save();
  };

  it('one growing into chunks, one writing a single cookie: the one that lands last is read', async () => {
    const h = new Harness<Data>(
      { storage: encryptedCookieStorage({ secret: SECRET }) },
      new Clock(Date.now()),
    );
    for (const order of [0, 1]) {
      const browser = await signedIn(h);
      const [grown, touched] = await concurrently(h, browser, grow, touch);
      const sequence = order === 0 ? [grown, touched] : [touched, grown];
      for (const writes of sequence) land(browser, writes ?? []);
      const held = [...browser.cookies.keys()];
      // Never both starts of a value: that would read as planted.
      expect(held.includes('__Host-session') && held.includes('__Host-session.0'), `order ${order}`).toBe(
        false,
      );
      const user = await h.request(browser, (s) => s.get('user'), true);
      expect(user, `order ${order}`).toBe(order === 0 ? 'ada 2' : 'ada');
      // Leftover chunks of the other value are expired by the next write.
      await h.request(
        browser,
        async (s) => {
          s.set('user', 'ada 3');
          await s.save();
        },
        true,
      );
      const live = browser.lastWrites.filter((w) => (w.options.maxAge ?? 1) > 0).map((w) => w.name);
      expect([...browser.cookies.keys()].sort()).toEqual(live.sort());
    }
    expect(h.invalid).toEqual([]);
  });

  it('a logout that lands after a request that grew the session into chunks still signs out', async () => {
    const h = new Harness<Data>(
      { storage: encryptedCookieStorage({ secret: SECRET }) },
      new Clock(Date.now()),
    );
    const browser = await signedIn(h);
    const [grown, loggedOut] = await concurrently(h, browser, grow, logout);
    land(browser, grown ?? []);
    land(browser, loggedOut ?? []);
    const held = [...browser.cookies.keys()];
    expect(held).not.toContain('__Host-session');
    expect(held).not.toContain('__Host-session.0');
    expect(await h.request(browser, (s) => s.get('user'), true)).toBeUndefined();
    expect(h.invalid).toEqual([]);
  });
});
