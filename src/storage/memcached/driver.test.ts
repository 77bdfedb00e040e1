// memcachedStorage() against a real memcached: the per-user index stays
// bounded however many logins a user makes, and no read-side write (idle
// refresh, flash take) ever undoes a save that landed in between.
import memjs from 'memjs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { startMemcached } from '../../../test/servers/memcached.ts';
import { memcachedStorage } from '../../entries/memcached.ts';
import { SessionStoreError } from '../../errors.ts';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { sha256Base64url } from '../store/token.ts';

type Data = { role?: string; user?: string; blob?: string };

const quiet = { logger: { log: () => {} } };
const client = memjs.Client.create(inject('servers').memcached.url, quiet);
const cleanups: Array<() => Promise<void> | void> = [() => client.close()];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const cookieOf = (browser: TestBrowser) => browser.cookies.get('session') ?? '';
const sessionKey = async (keyPrefix: string, browser: TestBrowser) =>
  `${keyPrefix}s:${await sha256Base64url(cookieOf(browser))}`;
const indexKey = async (keyPrefix: string, userId: string) =>
  `${keyPrefix}u:${await sha256Base64url(userId)}`;

async function indexLines(mc: memjs.Client, key: string): Promise<string[]> {
  const { value } = await mc.get(key);
  return value === null ? [] : value.toString('utf8').split('\n').filter(Boolean);
}

function kit(
  mc: memjs.Client,
  options: { maxSessionsPerUser?: number; idleTimeout?: number; touchAfter?: number } = {},
) {
  const keyPrefix = uniquePrefix('mcd');
  const { maxSessionsPerUser, idleTimeout, touchAfter } = options;
  const storage = memcachedStorage({
    client: mc,
    keyPrefix,
    ...(maxSessionsPerUser !== undefined && { maxSessionsPerUser }),
    ...(touchAfter !== undefined && { touchAfter }),
  });
  const h = new Harness<Data>(
    { storage, ...(idleTimeout !== undefined && { idleTimeout }) },
    new Clock(Date.now()),
  );
  return { h, keyPrefix };
}

async function login(h: Harness<Data>, browser: TestBrowser, user: string): Promise<void> {
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession(user);
    s.set('user', user);
    await s.save();
  });
}

async function logout(h: Harness<Data>, browser: TestBrowser): Promise<void> {
  await h.request(browser, async (s) => {
    s.invalidate();
    await s.save();
  });
}

/** Runs `count` tasks, `width` at a time. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/**
 * A memjs client whose next write (set/add/replace) to `key` waits until
 * released: a read-modify-write can be stopped between its read and its write.
 */
function pausable(mc: memjs.Client) {
  let trap: { key: string; reached: () => void; release: Promise<void> } | undefined;
  const wrapped = new Proxy(mc, {
    get(target, name) {
      if (name === 'perform') {
        return (...args: Parameters<memjs.Client['perform']>) => {
          const [key, request] = args;
          const opcode = request[1];
          const armed = trap;
          if (
            armed !== undefined &&
            key === armed.key &&
            (opcode === 0x01 || opcode === 0x02 || opcode === 0x03)
          ) {
            trap = undefined;
            armed.reached();
            armed.release.then(() => target.perform(...args));
            return;
          }
          target.perform(...args);
        };
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(wrapped) : value;
    },
    set(target, name, value) {
      return Reflect.set(target, name, value, target);
    },
  });
  return {
    client: wrapped,
    /** Holds the next write to `key`; resolves `reached` when it is held. */
    pauseNextWrite(key: string) {
      let release = () => {};
      let reached = () => {};
      const held = new Promise<void>((resolve) => {
        reached = resolve;
      });
      trap = {
        key,
        reached: () => reached(),
        release: new Promise<void>((resolve) => {
          release = resolve;
        }),
      };
      return { held, release: () => release() };
    },
  };
}

describe('memcached: the per-user index stays bounded', () => {
  it('20,000 logins of one user (each session ended by logout) all succeed; the index lists only live sessions', async () => {
    const { h, keyPrefix } = kit(client);
    const keep = new Set<number>();
    const kept: TestBrowser[] = [];
    for (let i = 0; i < 20_000; i += 1000) keep.add(i);
    await inParallel(20_000, 16, async (i) => {
      const browser = new TestBrowser();
      await login(h, browser, 'ada');
      if (keep.has(i)) kept.push(browser);
      else await logout(h, browser);
    });
    const lines = await indexLines(client, await indexKey(keyPrefix, 'ada'));
    // Sessions that ended are dropped as logins go: a few may still be
    // listed (how many depends on how the concurrent logins interleave),
    // never thousands.
    expect(lines.length).toBeGreaterThanOrEqual(kept.length);
    expect(lines.length).toBeLessThan(kept.length + 500);
    const listed = (await h.engine.storage.users?.list('ada')) ?? [];
    expect(listed.length).toBe(kept.length);
    const refs = await Promise.all(kept.map((browser) => h.engine.storage.users?.refOf(cookieOf(browser))));
    expect(listed.map((s) => s.ref).sort()).toEqual(refs.sort());
    // And the user can still sign out everywhere.
    expect(await h.engine.storage.users?.destroy('ada', [])).toBe(kept.length);
    expect(await indexLines(client, await indexKey(keyPrefix, 'ada'))).toEqual([]);
  }, 300_000);

  it('logging in again on the same device replaces its index line', async () => {
    const { h, keyPrefix } = kit(client);
    const browser = new TestBrowser();
    for (let i = 0; i < 200; i++) await login(h, browser, 'ada');
    const lines = await indexLines(client, await indexKey(keyPrefix, 'ada'));
    expect(lines).toHaveLength(1);
    expect(lines[0]?.split(' ')[0]).toBe(await sha256Base64url(cookieOf(browser)));
  });

  it('maxSessionsPerUser and destroyUserSessions() remove the lines of the sessions they end', async () => {
    const { h, keyPrefix } = kit(client, { maxSessionsPerUser: 2 });
    const key = await indexKey(keyPrefix, 'ada');
    const browsers = Array.from({ length: 300 }, () => new TestBrowser());
    for (const browser of browsers) {
      h.clock.advance(1);
      await login(h, browser, 'ada');
    }
    const newest = browsers.slice(-2);
    const members = await Promise.all(newest.map((browser) => sha256Base64url(cookieOf(browser))));
    expect((await indexLines(client, key)).map((line) => line.split(' ')[0]).sort()).toEqual(members.sort());
    expect(await h.engine.storage.users?.destroy('ada', [])).toBe(2);
    expect(await indexLines(client, key)).toEqual([]);
  });

  it('concurrent logins of one user all stay listed (no line is lost to a rewrite)', async () => {
    const { h } = kit(client);
    const browsers = Array.from({ length: 60 }, () => new TestBrowser());
    // Ended sessions in the index make logins rewrite it while others append.
    const ended = Array.from({ length: 60 }, () => new TestBrowser());
    for (const browser of ended) await login(h, browser, 'ada');
    await Promise.all(ended.map((browser) => logout(h, browser)));
    await Promise.all(browsers.map((browser) => login(h, browser, 'ada')));
    const listed = (await h.engine.storage.users?.list('ada')) ?? [];
    const refs = await Promise.all(
      browsers.map((browser) => h.engine.storage.users?.refOf(cookieOf(browser))),
    );
    expect(listed.map((s) => s.ref).sort()).toEqual(refs.sort());
  });

  it('only live sessions that alone overflow the item size fail a login, with a message that says so', async () => {
    // A 2 KB item size: some 30 index lines.
    const server = await startMemcached(['-I', '2k', '-o', 'slab_chunk_max=2048']);
    const small = memjs.Client.create(server.url, quiet);
    cleanups.push(
      () => server.stop(),
      () => small.close(),
    );
    const { h, keyPrefix } = kit(small);
    // Ended sessions never block a login, however many.
    for (let i = 0; i < 200; i++) {
      const browser = new TestBrowser();
      await login(h, browser, 'ada');
      await logout(h, browser);
    }
    const live: TestBrowser[] = [];
    let error: unknown;
    for (let i = 0; i < 100 && error === undefined; i++) {
      const browser = new TestBrowser();
      try {
        await login(h, browser, 'ada');
        live.push(browser);
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as SessionStoreError).message).toMatch(
      /already has \d+ live sessions.*maxSessionsPerUser/s,
    );
    const lines = await indexLines(small, await indexKey(keyPrefix, 'ada'));
    expect(lines.length).toBe(live.length);
    expect(live.length).toBeGreaterThan(20);
    expect((await h.engine.storage.users?.list('ada'))?.length).toBe(live.length);
    // Ending some sessions makes room again.
    for (const browser of live.splice(0, 5)) await logout(h, browser);
    const again = new TestBrowser();
    await login(h, again, 'ada');
    expect((await h.engine.storage.users?.list('ada'))?.length).toBe(live.length + 1);
  });

  it('a session larger than memcached stores is refused with a message that says so', async () => {
    const { h } = kit(client);
    const browser = new TestBrowser();
    const error = await h
      .request(browser, async (s) => {
        s.set('blob', 'x'.repeat(1_100_000));
        await s.save();
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as SessionStoreError).message).toMatch(/larger than memcached stores in one item/);
  });
});

describe('memcached: a read never writes stale data over a newer save', () => {
  it('an idle refresh paused between its read and its write does not undo a save made meanwhile', async () => {
    const paused = pausable(client);
    const { h, keyPrefix } = kit(paused.client as memjs.Client, { idleTimeout: 600, touchAfter: 10 });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('role', 'admin');
      await s.save();
    });
    h.clock.advance(30); // the next request refreshes the idle timeout
    const gate = paused.pauseNextWrite(await sessionKey(keyPrefix, browser));
    const pageView = h.request(browser, (s) => s.get('role'));
    await gate.held; // the page view has read the record and is about to write it back
    await h.request(browser, async (s) => {
      s.set('role', 'user'); // a Server Action drops the role
      await s.save();
    });
    gate.release();
    expect(await pageView).toBe('admin'); // what it read before the action
    await h.request(browser, (s) => expect(s.get('role')).toBe('user'));
    expect(h.invalid).toEqual([]);
  });

  it('a flash take paused between its read and its write does not undo a save made meanwhile', async () => {
    const paused = pausable(client);
    const { h, keyPrefix } = kit(paused.client as memjs.Client);
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('role', 'admin');
      s.flash('notice', 'Saved');
      await s.save();
    });
    const gate = paused.pauseNextWrite(await sessionKey(keyPrefix, browser));
    const pageView = h.request(browser, (s) => s.getFlash('notice'));
    await gate.held;
    await h.request(browser, async (s) => {
      s.set('role', 'user');
      await s.save();
    });
    gate.release();
    expect(await pageView).toBe('Saved');
    await h.request(browser, async (s) => {
      expect(s.get('role')).toBe('user');
      expect(await s.getFlash('notice')).toBeUndefined(); // shown once
    });
  });

  it('a save whose record changed since it was loaded merges its keys onto the newer record', async () => {
    const paused = pausable(client);
    const { h, keyPrefix } = kit(paused.client as memjs.Client);
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('role', 'admin');
      await s.save();
    });
    const gate = paused.pauseNextWrite(await sessionKey(keyPrefix, browser));
    const slow = h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    await gate.held;
    await h.request(browser, async (s) => {
      s.set('role', 'user');
      await s.save();
    });
    gate.release();
    await slow;
    await h.request(browser, (s) => expect(s.data).toEqual({ role: 'user', user: 'ada' }));
  });
});

describe('memcachedStorage() client check', () => {
  it('refuses an object that lacks what the CAS requests go through, at creation', () => {
    const { perform: _, ...withoutPerform } = Object.fromEntries(
      ['get', 'set', 'replace', 'delete', 'perform', 'incrSeq'].map((name) => [name, () => {}]),
    );
    expect(() => memcachedStorage({ client: withoutPerform as unknown as memjs.Client })).toThrow(
      /`client` must be a memjs client/,
    );
    expect(() => memcachedStorage({ client })).not.toThrow();
  });
});
