import { describe, expect } from 'vitest';
import { CookieBrowser } from './kit-runner.ts';
import {
  casesOf,
  cookieOf,
  deferred,
  ifAtomic,
  login,
  type Suite,
  setUp,
  withBrowser,
} from './suite-setup.ts';

/**
 * Requests that race: flash messages, concurrent saves of one session, and
 * a save that lands after a logout.
 */
export function raceCases(suite: Suite): void {
  const test = casesOf(suite);

  describe('racing requests', () => {
    test('a flash message shows once (to exactly one of racing requests, with `atomic`)', async () => {
      const { adapter, kit } = await setUp(suite);
      const h = kit();
      const browser = new CookieBrowser();
      await h.request(browser, async (s) => {
        s.set('user', 'ada');
        s.flash('notice', 'Saved ✓');
        expect(await s.getFlash('notice')).toBeUndefined(); // not for this request
        await s.save();
      });
      const seen = await Promise.all(
        [1, 2, 3].map(() =>
          h.request(browser, async (s) => [await s.getFlash('notice'), await s.getFlash('notice')]),
        ),
      );
      const shown = seen.filter(([first]) => first !== undefined);
      if (adapter.capabilities?.atomic === true) expect(shown.length).toBe(1);
      else expect(shown.length).toBeGreaterThanOrEqual(1);
      expect(shown[0]).toEqual(['Saved ✓', 'Saved ✓']); // stable within the request
      await h.request(browser, async (s) => {
        expect(await s.getFlash('notice')).toBeUndefined();
        expect(s.get('user')).toBe('ada');
      });
    });

    test('a message shown by a request that then saves is not shown again', async () => {
      const { h, browser } = await withBrowser(suite);
      await h.request(browser, async (s) => {
        s.set('count', 1);
        s.flash('notice', 'Welcome');
        await s.save();
      });
      await h.request(browser, async (s) => {
        expect(await s.getFlash('notice')).toBe('Welcome');
        s.set('count', 2);
        await s.save();
      });
      await h.request(browser, async (s) => {
        expect(await s.getFlash('notice')).toBeUndefined();
        s.clear(); // a replace writes the whole session
        s.set('count', 3);
        await s.save();
      });
      await h.request(browser, async (s) => {
        expect(await s.getFlash('notice')).toBeUndefined();
        expect(s.data).toEqual({ count: 3 });
      });
    });

    test('two concurrent saves that change different keys both keep them (last-write-wins without `atomic`)', async () => {
      const { adapter, kit } = await setUp(suite);
      const h = kit();
      const browser = new CookieBrowser();
      await h.request(browser, async (s) => {
        s.set('count', 0);
        await s.save();
      });
      const gate = deferred();
      // Both requests must have loaded the session before either saves: counted, not waited for (a
      // fixed pause is too short on a busy host, and then the second request loads the first's save).
      let loaded = 0;
      const bothLoaded = deferred();
      const write = (key: string, value: number) =>
        h.request(browser, async (s) => {
          s.set(key, value);
          loaded += 1;
          if (loaded === 2) bothLoaded.resolve();
          await gate.promise;
          await s.save();
        });
      const both = Promise.all([write('a', 1), write('b', 2)]);
      await bothLoaded.promise;
      gate.resolve();
      await both;
      await h.request(browser, (s) => {
        if (adapter.capabilities?.atomic === true) expect(s.data).toEqual({ count: 0, a: 1, b: 2 });
        else
          expect([
            { count: 0, a: 1 },
            { count: 0, b: 2 },
          ]).toContainEqual({ ...s.data });
      });
    });

    ifAtomic(
      suite,
      'changed() after a nested edit merges too: a key added meanwhile survives',
      async ({ kit }) => {
        const h = kit();
        const browser = new CookieBrowser();
        await h.request(browser, async (s) => {
          s.set('nested', { n: 1 });
          await s.save();
        });
        const gate = deferred();
        const nestedEdit = h.request(browser, async (s) => {
          const nested = s.get('nested') as { n: number };
          nested.n = 2;
          s.changed();
          await gate.promise;
          await s.save();
        });
        await h.request(browser, async (s) => {
          s.set('b', 9);
          await s.save();
        });
        gate.resolve();
        await nestedEdit;
        await h.request(browser, (s) => expect(s.data).toEqual({ nested: { n: 2 }, b: 9 }));
      },
    );

    test('a save never resurrects a session that was logged out meanwhile', async () => {
      const { h, browser } = await withBrowser(suite);
      await login(h, browser, 'ada');
      const other = new CookieBrowser();
      other.cookies.set('session', cookieOf(browser));
      const [loaded, gate] = [deferred(), deferred()];
      const late = h.request(browser, async (s) => {
        expect(s.isNew, 'the late request loaded the session before the logout').toBe(false);
        s.set('count', 1);
        loaded.resolve();
        await gate.promise;
        await s.save();
      });
      // Its load first: a store may run concurrent calls in any order (a pool's connections).
      await loaded.promise;
      await h.request(other, async (s) => {
        s.invalidate();
        await s.save();
      });
      gate.resolve();
      await late;
      expect(browser.cookies.size).toBe(0);
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
    });
  });
}
