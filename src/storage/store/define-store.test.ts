// defineStore(): what it refuses at creation, what it makes of untrusted
// answers, how store failures surface, and how many store calls it spends.
import { describe, expect, it } from 'vitest';
import { SessionConfigError, SessionStoreError } from '../../errors.ts';
import { Clock, CookieBrowser, KitRunner } from '../../testing/kit-runner.ts';
import { recording } from '../../testing/recording.ts';
import { MemoryMaps, memoryAdapter } from '../memory/adapter.ts';
import type { StoreAdapter } from './adapter.ts';
import { defineStore } from './define-store.ts';

const memory = (): StoreAdapter => memoryAdapter(new MemoryMaps(), Date.now, 'sess:');
const runner = (adapter: StoreAdapter, options = {}) =>
  new KitRunner({ storage: defineStore(adapter, options) }, new Clock(Date.now()));

async function login(h: KitRunner, browser: CookieBrowser, user: string): Promise<void> {
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession(user);
    s.set('user', user);
    await s.save();
  });
}

describe('defineStore() at creation', () => {
  it('refuses what is not an adapter, saying what is missing', () => {
    expect(() => defineStore(null as unknown as StoreAdapter)).toThrow(
      /defineStore\(\) needs a store adapter: an object with a name and get, create, update, delete, takeFlash, listByUser/,
    );
    const { takeFlash: _, listByUser: __, ...partial } = memory();
    expect(() => defineStore(partial as StoreAdapter)).toThrow(
      /The store adapter "memory" lacks takeFlash\(\), listByUser\(\): a StoreAdapter implements/,
    );
    for (const name of ['', 'x'.repeat(41), 'tab\tname', 7]) {
      expect(() => defineStore({ ...memory(), name } as StoreAdapter)).toThrow(
        /`name` must be 1 to 40 printable/,
      );
    }
  });

  it('takes declared capabilities only: known names, true or false', () => {
    expect(() =>
      defineStore({ ...memory(), capabilities: { atomic: 'yes' } } as unknown as StoreAdapter),
    ).toThrow(SessionConfigError);
    expect(() =>
      defineStore({ ...memory(), capabilities: { atomc: true } } as unknown as StoreAdapter),
    ).toThrow(/unknown capability "atomc".*known: atomic/);
    expect(() => defineStore({ ...memory(), capabilities: [] } as unknown as StoreAdapter)).toThrow(
      /`capabilities` must be an object/,
    );
    expect(() => defineStore({ ...memory(), capabilities: {} })).not.toThrow();
    expect(() => defineStore({ ...memory(), capabilities: undefined })).not.toThrow();
  });

  it('validates its options like every store’s', () => {
    expect(() => defineStore(memory(), { keyPrefix: 'x' } as object)).toThrow(
      /Unknown defineStore option "keyPrefix"\. Valid options: timeout, touchAfter, maxSessionsPerUser, cookieCache\./,
    );
    expect(() => defineStore(memory(), { timeout: 0 })).toThrow(/`timeout` must be a whole number/);
    expect(() => defineStore(memory(), null as unknown as object)).toThrow(/takes an options object/);
  });
});

describe('defineStore() over an adapter', () => {
  it('treats what listByUser() and takeFlash() answer as untrusted', async () => {
    const real = memory();
    const h = runner({
      ...real,
      listByUser: async (userId) =>
        [
          ...(await real.listByUser(userId)),
          null,
          'garbage',
          { key: 7, session: {} },
          { key: 'not-a-session', session: { id: 'x' } },
        ] as unknown as Awaited<ReturnType<StoreAdapter['listByUser']>>,
      takeFlash: async () => 'garbage' as unknown as Record<string, unknown>,
    });
    const [ada, bob] = [new CookieBrowser(), new CookieBrowser()];
    await login(h, ada, 'ada');
    await login(h, bob, 'bob');
    const listed = (await h.engine.storage.users?.list('ada')) ?? [];
    expect(listed).toHaveLength(1);
    expect(await h.engine.storage.users?.destroy('ada', [])).toBe(1);
    await h.request(bob, async (s) => {
      s.flash('notice', 'hi');
      await s.save();
    });
    await h.request(bob, async (s) => expect(await s.getFlash('notice')).toBeUndefined());
    await h.request(bob, (s) => expect(s.get('user')).toBe('bob'));
  });

  it('turns a failing or silent store into SessionStoreError, naming the store and the call, never the key', async () => {
    const failing = runner({
      ...memory(),
      name: 'flaky',
      get: async () => Promise.reject(new Error('down')),
    });
    const browser = new CookieBrowser();
    browser.cookies.set('session', 'A'.repeat(43));
    const error = await failing.request(browser, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as SessionStoreError).message).toBe('The session store (flaky) failed during load.');
    expect((error as SessionStoreError).cause).toEqual(new Error('down'));
    const silent = runner({ ...memory(), name: 'silent', get: () => new Promise(() => {}) }, { timeout: 50 });
    await expect(silent.request(browser, () => undefined)).rejects.toThrow(
      /The session store \(silent\) did not answer within 50 ms during load/,
    );
  });

  it('spends one store call per load and one per save of a loaded session', async () => {
    const recorded = recording(memory());
    const h = runner(recorded.adapter);
    const browser = new CookieBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
    });
    recorded.calls.length = 0;
    await h.request(browser, async (s) => {
      s.set('count', 2);
      await s.save();
    });
    expect(recorded.calls.map((c) => c.method)).toEqual(['get', 'update']);
  });

  it('with maxSessionsPerUser, a login within the limit that its store counted costs one call', async () => {
    const counted = recording(memory());
    const limited = runner(counted.adapter, { maxSessionsPerUser: 2 });
    await login(limited, new CookieBrowser(), 'ada');
    await login(limited, new CookieBrowser(), 'ada');
    expect(counted.calls.map((c) => c.method)).toEqual(['create', 'create']);
    counted.calls.length = 0;
    await login(limited, new CookieBrowser(), 'ada'); // over the limit: lists, ends the oldest
    expect(counted.calls.map((c) => c.method)).toEqual(['create', 'listByUser', 'delete']);
    // A store that counts nothing is asked to list on every login with a limit.
    const real = memory();
    const silent = recording({ ...real, create: async (k, s, w) => void (await real.create(k, s, w)) });
    await login(runner(silent.adapter, { maxSessionsPerUser: 2 }), new CookieBrowser(), 'ada');
    expect(silent.calls.map((c) => c.method)).toEqual(['create', 'listByUser']);
  });
});
