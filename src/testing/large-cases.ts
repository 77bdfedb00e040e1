import { describe, expect, it } from 'vitest';
import { CookieBrowser } from './kit-runner.ts';
import { type Suite, setUp } from './suite-setup.ts';
import { refOf } from './user-cases.ts';

// What is tested is that nothing breaks, not how fast: a generous store-call
// deadline, so a busy host cannot fail the test.
const STORE_TIMEOUT = 60_000;
// Logins started at once: enough to be quick, few enough that on a busy host no call waits
// behind so many others (the KV bridge answers one by one) that it reaches the store timeout.
const CONCURRENT = 50;

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
const bigData = (keys: number, round: number): Record<string, unknown> =>
  Object.fromEntries(Array.from({ length: keys }, (_, i) => [keyName(i), sample(i, round)]));

/**
 * Sessions with many keys, and users with many sessions: a store must take
 * them in one piece or batch them itself.
 */
export function largeCases(suite: Suite, size: { keys: number; sessions: number }): void {
  const timeout = suite.timeout * 5;
  describe('big sessions', () => {
    it(
      `a session with ${size.keys} data keys saves, loads back exactly, merges changes and takes flash`,
      async () => {
        const h = (await setUp(suite)).kit({}, { timeout: STORE_TIMEOUT });
        const browser = new CookieBrowser();
        const expected = bigData(size.keys, 0);
        await h.request(browser, async (s) => {
          for (const [key, value] of Object.entries(expected)) s.set(key, value);
          await s.save();
        });
        await h.request(browser, (s) => expect(s.data).toEqual(expected));
        // A merge of a few keys, then one that writes every key.
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
        const next = bigData(size.keys, 1);
        await h.request(browser, async (s) => {
          for (const [key, value] of Object.entries(next)) s.set(key, value);
          await s.save();
        });
        Object.assign(expected, next);
        await h.request(browser, (s) => expect(s.data).toEqual(expected));
        // As many flash messages, taken at once by the next request.
        await h.request(browser, async (s) => {
          for (let i = 0; i < size.keys; i++) s.flash(`notice ${i}`, sample(i, 2));
          await s.save();
        });
        await h.request(browser, async (s) => {
          for (let i = 0; i < size.keys; i++) expect(await s.getFlash(`notice ${i}`)).toEqual(sample(i, 2));
        });
        // A merge that deletes all keys but one.
        await h.request(browser, async (s) => {
          expect(await s.getFlash('notice 0')).toBeUndefined();
          expect(await s.getFlash(`notice ${size.keys - 1}`)).toBeUndefined();
          expect(s.data).toEqual(expected);
          for (const key of Object.keys(expected)) if (key !== 'added') s.delete(key);
          await s.save();
        });
        await h.request(browser, (s) => expect(s.data).toEqual({ added: true }));
        expect(h.invalid).toEqual([]);
      },
      timeout,
    );

    it(
      `one user with ${size.sessions} sessions: listed, and signed out all but some, then everywhere`,
      async () => {
        const h = (await setUp(suite)).kit({}, { timeout: STORE_TIMEOUT });
        const { users } = h.engine.storage;
        const browsers = Array.from({ length: size.sessions }, () => new CookieBrowser());
        for (let start = 0; start < size.sessions; start += CONCURRENT) {
          await Promise.all(
            browsers.slice(start, start + CONCURRENT).map((browser, offset) =>
              h.request(browser, async (_s, { newSession }) => {
                // A millisecond each: a session's ref holds its creation time and 30 random bits, so
                // thousands made in one frozen millisecond would share a ref now and then (a birthday
                // collision no real clock produces), which is not what this case is about.
                h.clock.advance(0.001);
                const s = newSession('ada');
                s.set('device', start + offset);
                await s.save();
              }),
            ),
          );
        }
        const refs = await Promise.all(browsers.map((browser) => refOf(h, browser)));
        expect(new Set(refs).size).toBe(size.sessions);
        const listed = (await users?.list('ada')) ?? [];
        expect(listed.map((s) => s.ref).sort()).toEqual([...refs].sort());
        const last = size.sessions - 1;
        const keep = [browsers[1], browsers[last]] as CookieBrowser[];
        const keepRefs = await Promise.all(keep.map((browser) => refOf(h, browser)));
        expect(await users?.destroy('ada', { except: keepRefs })).toBe(size.sessions - 2);
        const left = (await users?.list('ada')) ?? [];
        expect(left.map((s) => s.ref).sort()).toEqual([...keepRefs].sort());
        expect(await h.request(keep[0] as CookieBrowser, (s) => s.get('device'))).toBe(1);
        expect(await h.request(keep[1] as CookieBrowser, (s) => s.get('device'))).toBe(last);
        for (const i of [0, 2, Math.floor(size.sessions / 2), last - 1]) {
          expect(await h.request(browsers[i] as CookieBrowser, (s) => s.isNew)).toBe(true);
        }
        expect(await users?.destroy('ada', { except: [] })).toBe(2);
        expect(await users?.list('ada')).toEqual([]);
        expect(await h.request(keep[1] as CookieBrowser, (s) => s.isNew)).toBe(true);
      },
      timeout,
    );
  });
}
