// Sessions with thousands of keys, and users with thousands of sessions, on
// the Redis-protocol stores (real Redis, Redis Cluster, Vercel KV client via
// the REST bridge) and memory. Lua's unpack() refuses more than ~8000
// values, so anything sent to a script in one piece broke. Memcached keeps a
// session as one value and its index as an append list; its own tests cover
// a user with many logins.
import { describe, expect, it } from 'vitest';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { allTargets } from '../test-utils/targets.ts';

type Data = Record<string, unknown>;

const KEYS = 10_000;
const SESSIONS = 10_000;
// Logins started at once: enough to be quick, few enough for a busy CI host.
const CONCURRENT = 250;
// What is tested is that nothing breaks, not how fast: a generous store-call
// deadline, so a busy host cannot fail the test.
const TIMEOUT = 60_000;
// Each test does tens of thousands of store calls, alongside the rest of the suite.
const TEST_TIMEOUT = 300_000;

const keyName = (i: number) => `key ${i} ✓`;
// Strings, numbers, objects and arrays, so every value kind goes through the batches.
function sample(i: number, round = 0): unknown {
  switch (i % 4) {
    case 0:
      return `value ${i}/${round}`;
    case 1:
      return i * 1000 + round;
    case 2:
      return { i, round, nested: [i, String(round)] };
    default:
      return [round, `é${i}`];
  }
}
const bigData = (round: number): Data =>
  Object.fromEntries(Array.from({ length: KEYS }, (_, i) => [keyName(i), sample(i, round)]));

for (const target of allTargets().filter((t) => t.kind === 'store' && t.name !== 'memcached')) {
  describe(`large sessions: ${target.name}`, () => {
    it(
      `a session with ${KEYS} data keys saves, loads back exactly, merges changes and takes flash`,
      async () => {
        const h = new Harness<Data>(
          { storage: target.make({ timeout: TIMEOUT }).storage },
          new Clock(Date.now()),
        );
        const browser = new TestBrowser();
        const expected = bigData(0);
        await h.request(browser, async (s) => {
          for (const [key, value] of Object.entries(expected)) s.set(key, value);
          await s.save();
        });
        await h.request(browser, (s) => {
          expect(s.isNew).toBe(false);
          expect(s.data).toEqual(expected);
        });

        // A merge of a few keys.
        await h.request(browser, async (s) => {
          s.set(keyName(0), 'changed');
          s.delete(keyName(1));
          s.set('added', true);
          await s.save();
        });
        expected[keyName(0)] = 'changed';
        delete expected[keyName(1)];
        expected.added = true;
        await h.request(browser, (s) => expect(s.data).toEqual(expected));

        // A merge that writes every key.
        const next = bigData(1);
        await h.request(browser, async (s) => {
          for (const [key, value] of Object.entries(next)) s.set(key, value);
          await s.save();
        });
        Object.assign(expected, next);
        await h.request(browser, (s) => expect(s.data).toEqual(expected));

        // As many flash messages, taken at once by the next request.
        await h.request(browser, async (s) => {
          for (let i = 0; i < KEYS; i++) s.flash(`notice ${i}`, sample(i, 2));
          await s.save();
        });
        await h.request(browser, async (s) => {
          for (let i = 0; i < KEYS; i++) expect(await s.getFlash(`notice ${i}`)).toEqual(sample(i, 2));
        });
        await h.request(browser, async (s) => {
          expect(await s.getFlash('notice 0')).toBeUndefined();
          expect(await s.getFlash(`notice ${KEYS - 1}`)).toBeUndefined();
          expect(s.data).toEqual(expected);
        });

        // A merge that deletes all keys but one.
        await h.request(browser, async (s) => {
          for (const key of Object.keys(expected)) if (key !== 'added') s.delete(key);
          await s.save();
        });
        await h.request(browser, (s) => {
          expect(s.isNew).toBe(false);
          expect(s.data).toEqual({ added: true });
        });
        expect(h.invalid).toEqual([]);
      },
      TEST_TIMEOUT,
    );

    it(
      `one user with ${SESSIONS} sessions: listed, and signed out all but some, then everywhere`,
      async () => {
        const h = new Harness<Data>(
          { storage: target.make({ timeout: TIMEOUT }).storage },
          new Clock(Date.now()),
        );
        const { backend } = h.engine;
        const browsers = Array.from({ length: SESSIONS }, () => new TestBrowser());
        for (let start = 0; start < SESSIONS; start += CONCURRENT) {
          await Promise.all(
            browsers.slice(start, start + CONCURRENT).map((browser, offset) =>
              h.request(browser, async (_s, { newSession }) => {
                const s = newSession('ada');
                s.set('device', start + offset);
                await s.save();
              }),
            ),
          );
        }
        const refOf = async (browser: TestBrowser) =>
          (await backend.refOf?.(browser.cookies.get('session') ?? '')) as string;
        const refs = await Promise.all(browsers.map(refOf));
        expect(new Set(refs).size).toBe(SESSIONS);

        const listed = (await backend.listUserSessions?.('ada')) ?? [];
        expect(listed.map((s) => s.handle).sort()).toEqual([...refs].sort());

        const keep = [browsers[7], browsers[SESSIONS - 1]] as TestBrowser[];
        const keepRefs = await Promise.all(keep.map(refOf));
        expect(await backend.destroyUserSessions?.('ada', keepRefs)).toBe(SESSIONS - 2);
        expect(((await backend.listUserSessions?.('ada')) ?? []).map((s) => s.handle).sort()).toEqual(
          [...keepRefs].sort(),
        );
        expect(await h.request(keep[0] as TestBrowser, (s) => s.get('device'))).toBe(7);
        expect(await h.request(keep[1] as TestBrowser, (s) => s.get('device'))).toBe(SESSIONS - 1);
        for (const i of [0, 1, 8, SESSIONS / 2, SESSIONS - 2]) {
          expect(await h.request(browsers[i] as TestBrowser, (s) => s.isNew)).toBe(true);
        }

        expect(await backend.destroyUserSessions?.('ada', [])).toBe(2);
        expect(await backend.listUserSessions?.('ada')).toEqual([]);
        expect(await h.request(keep[1] as TestBrowser, (s) => s.isNew)).toBe(true);
      },
      TEST_TIMEOUT,
    );
  });
}
