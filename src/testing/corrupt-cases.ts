import { describe, expect, it } from 'vitest';
import { sha256Base64url } from '../storage/store/token.ts';
import { CookieBrowser } from './kit-runner.ts';
import { recording } from './recording.ts';
import { cookieOf, type Suite, setUp } from './suite-setup.ts';

// What a store may hand back that is not a session: the kit must answer
// each with a fresh session reported as invalid, never a crash.
const DAMAGE: Array<[string, (stored: Record<string, unknown>) => unknown]> = [
  ['unreadable (undefined)', () => undefined],
  ['a string', () => 'garbage'],
  ['an array', () => []],
  ['an id that is not the kit’s', (s) => ({ ...s, id: 'not-an-id' })],
  ['a numeric id', (s) => ({ ...s, id: 42 })],
  ['data that is not an object', (s) => ({ ...s, data: 'x' })],
  ['data that is an array', (s) => ({ ...s, data: [1] })],
  ['no lastActiveAt', (s) => ({ ...s, lastActiveAt: undefined })],
  ['a negative lastActiveAt', (s) => ({ ...s, lastActiveAt: -1 })],
  ['a fractional lastActiveAt', (s) => ({ ...s, lastActiveAt: 0.5 })],
  ['a userId that is not a string', (s) => ({ ...s, userId: 7 })],
  ['a version below 1', (s) => ({ ...s, version: 0 })],
  ['flash that is not an object', (s) => ({ ...s, flash: 'x' })],
];

/**
 * Records that are not sessions: whatever the store hands back, the kit
 * gives a fresh session and reports it as invalid.
 */
export function corruptCases(suite: Suite): void {
  describe('corrupt records', () => {
    it(
      'a record that is not a session loads as a fresh session, reported as invalid',
      async () => {
        const setup = await setUp(suite);
        const recorded = recording(setup.adapter);
        const h = setup.kit({}, {}, recorded.adapter);
        const browser = new CookieBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        for (const [what, damage] of DAMAGE) {
          recorded.answer.get = (stored) => damage(stored as Record<string, unknown>);
          await h.request(browser, (s) => expect(s.isNew, what).toBe(true));
        }
        expect(h.invalid).toEqual(DAMAGE.map(() => 'invalid'));
        recorded.answer.get = undefined;
        await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
      },
      suite.timeout,
    );

    const { corrupt } = suite.options;
    if (corrupt === undefined) return;
    it(
      'a record damaged in the store loads as a fresh session, reported as invalid',
      async () => {
        const setup = await setUp(suite);
        const h = setup.kit();
        const browser = new CookieBrowser();
        await h.request(browser, async (s) => {
          s.set('user', 'ada');
          await s.save();
        });
        await corrupt(setup.adapter, await sha256Base64url(cookieOf(browser)));
        await h.request(browser, (s) => expect(s.isNew).toBe(true));
        expect(h.invalid).toEqual(['invalid']);
      },
      suite.timeout,
    );
  });
}
