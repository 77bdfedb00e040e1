// Which cookies make up a session when the jar holds both a whole `session`
// and `session.N` chunks, and why the kit's own writes never leave both.
import { describe, expect, it } from 'vitest';
import type { Session } from '../session.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { listJar } from '../test-utils/hostile.ts';
import type { CookieWriteOptions } from '../types.ts';
import { clearChunkedCookie, cookieFamily, readChunkedCookie, writeChunkedCookie } from './chunks.ts';

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
        { name: 'session', value: 'whole' },
        { name: 'session.1', value: 'gap' },
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

describe('writes set the whole family of names', () => {
  it('cookieFamily: the name and every chunk name up to maxChunks (none without chunking)', () => {
    expect(cookieFamily('session', 3)).toEqual(['session', 'session.0', 'session.1', 'session.2']);
    expect(cookieFamily('session', 1)).toEqual(['session']);
    expect(cookieFamily('s', 100)).toHaveLength(17);
  });

  it('writing one cookie expires every chunk name, seen or not', () => {
    const browser = new TestBrowser();
    const jar = browser.request();
    expect(writeChunkedCookie(jar, 'session', 'v', attrs, [], 3)).toEqual(['session']);
    expect(browser.lastWrites.map((w) => [w.name, w.options.maxAge])).toEqual([
      ['session', 60],
      ['session.0', 0],
      ['session.1', 0],
      ['session.2', 0],
    ]);
  });

  it('clearing expires every name of the family, and any other name the request carried', () => {
    const browser = new TestBrowser();
    clearChunkedCookie(browser.request(), 'session', ['session', 'session.7'], attrs, 2);
    expect(browser.lastWrites.map((w) => [w.name, w.options.maxAge])).toEqual([
      ['session', 0],
      ['session.0', 0],
      ['session.1', 0],
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

  it('one growing into chunks, one writing a single cookie: the browser keeps one of them, whole', async () => {
    const h = new Harness<Data>(
      { storage: encryptedCookieStorage({ secret: SECRET }) },
      new Clock(Date.now()),
    );
    for (const order of [0, 1]) {
      const browser = await signedIn(h);
      const [grown, touched] = await concurrently(h, browser, grow, touch);
      const sequence = order === 0 ? [grown, touched] : [touched, grown];
      for (const writes of sequence) land(browser, writes ?? []);
      // Exactly the cookies the response that landed last set, nothing of the other.
      const last = sequence[1] ?? [];
      const set = last.filter((w) => w.options.maxAge > 0).map((w) => w.name);
      expect([...browser.cookies.keys()].sort(), `order ${order}`).toEqual(set.sort());
      expect(set.length, 'the grown session is chunked').toBe(order === 0 ? 1 : 3);
      const user = await h.request(browser, (s) => s.get('user'), true);
      expect(user).toBe(order === 0 ? 'ada 2' : 'ada');
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
    expect([...browser.cookies.keys()]).toEqual([]);
    expect(await h.request(browser, (s) => s.get('user'), true)).toBeUndefined();
  });
});
