// The shared store layer's save path, against every store the kit ships.
import { describe, expect, it } from 'vitest';
import { TestBrowser } from '../../test-utils/browser.ts';
import { Clock, Harness } from '../../test-utils/harness.ts';
import { allTargets } from '../../test-utils/targets.ts';

for (const target of allTargets().filter((t) => t.kind === 'store')) {
  describe(`store saves: ${target.name}`, () => {
    it('a changed "__proto__" key is merged as plain data, never as a prototype', async () => {
      const h = new Harness({ storage: target.make().storage }, new Clock(Date.now()));
      const browser = new TestBrowser();
      await h.request(browser, async (s) => {
        s.set('__proto__', { v: 1 });
        s.set('other', 1);
        await s.save();
      });
      // A second request changes only that key: a merge, not a rewrite.
      await h.request(browser, async (s) => {
        s.set('__proto__', { v: 2 });
        await s.save();
      });
      await h.request(browser, (s) => {
        expect(s.get('__proto__')).toEqual({ v: 2 });
        expect(s.get('other')).toBe(1);
        expect(({} as { v?: number }).v).toBeUndefined();
      });
      await h.request(browser, async (s) => {
        s.delete('__proto__');
        await s.save();
      });
      await h.request(browser, (s) => expect(s.data).toEqual({ other: 1 }));
    });
  });
}
