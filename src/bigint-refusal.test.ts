// A bigint in session data (a Python int read through an aiohttp-session
// format, or one the app set) on every storage the kit ships: the JSON
// storages refuse it with a typed error that says where it is, never with
// JSON.stringify's bare TypeError, and write nothing.
import { describe, expect, it } from 'vitest';
import { SessionUnsupportedError } from './errors.ts';
import { TestBrowser } from './test-utils/browser.ts';
import { Clock, Harness } from './test-utils/harness.ts';
import { allTargets } from './test-utils/targets.ts';

for (const target of allTargets()) {
  describe(`a bigint in the session: ${target.name}`, () => {
    it('is refused on save with SessionUnsupportedError naming the key, and nothing is written', async () => {
      const h = new Harness({ storage: target.make().storage }, new Clock(Date.now()));
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('user', 'ada');
        await s.save();
      });
      const cookies = new Map(browser.cookies);
      const failure = await h
        .request(browser, async (s) => {
          s.set('prefs', { ids: [1, 2n ** 64n] });
          await s.save();
        })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(SessionUnsupportedError);
      expect(failure).toMatchObject({ code: 'ERR_SESSION_UNSUPPORTED' });
      expect((failure as Error).message).toMatch(/^Session data at "prefs\.ids\[1\]" is a bigint/);
      expect((failure as Error).message).not.toContain('18446744073709551616');
      expect((failure as Error).cause).toBeInstanceOf(TypeError);
      expect(browser.cookies).toEqual(cookies);
      await h.request(browser, (s) => expect(s.data).toEqual({ user: 'ada' }));
    });

    it('in a flash message too', async () => {
      const h = new Harness({ storage: target.make().storage }, new Clock(Date.now()));
      await expect(
        h.request(new TestBrowser(), async (s) => {
          s.set('user', 'ada');
          s.flash('notice', { count: 1n });
          await s.save();
        }),
      ).rejects.toThrow(/^A flash message at "notice\.count" is a bigint/);
    });
  });
}

describe('other failures of a save', () => {
  it('pass through unchanged', async () => {
    const [target] = allTargets();
    if (target === undefined) throw new Error('no storage');
    const h = new Harness({ storage: target.make().storage }, new Clock(Date.now()));
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(
      h.request(new TestBrowser(), async (s) => {
        s.set('loop', circular);
        await s.save();
      }),
    ).rejects.toThrow(/circular/);
  });
});
