// Hostile Cookie headers against chunk reassembly, and the chunk writer's
// guarantees for any value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readChunkedCookie, writeChunkedCookie } from '../cookie/chunks.ts';
import { SessionTooLargeError } from '../errors.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { createFuzzer } from '../test-utils/fuzz.ts';
import { applyJarEdits, type Cookie, hostileString, jarEdit, listJar } from '../test-utils/hostile.ts';
import type { CookieWriteOptions } from '../types.ts';

const fuzz = createFuzzer('cookie');
const NAME = 'session';
const HARD_CAP = 16;
const OWN = /^session(?:\.(0|[1-9]\d{0,2}))?$/;

const cookieName = fc.oneof(
  { weight: 3, arbitrary: fc.nat(20).map((i) => `${NAME}.${i}`) },
  { weight: 2, arbitrary: fc.constant(NAME) },
  fc.constantFrom(
    `${NAME}.01`,
    `${NAME}.999`,
    `${NAME}.1000`,
    `${NAME}.-1`,
    `${NAME}.`,
    `${NAME}x.0`,
    'other',
    '__proto__',
  ),
  hostileString(12),
);
const cookie: fc.Arbitrary<Cookie> = fc.record({
  name: cookieName,
  value: fc.oneof(hostileString(30), fc.constant('')),
});

const attributes: fc.Arbitrary<CookieWriteOptions> = fc.record({
  path: fc.constantFrom('/', '/app', `/${'p'.repeat(200)}`),
  sameSite: fc.constantFrom('lax', 'strict', 'none'),
  secure: fc.boolean(),
  httpOnly: fc.boolean(),
  maxAge: fc.integer({ min: 0, max: 400 * 24 * 3600 }),
  expires: fc.constant(new Date(Date.UTC(2030, 0, 1))),
  domain: fc.constantFrom(undefined, 'example.com', `${'sub.'.repeat(40)}example.com`),
});

/** What readChunkedCookie must return, restated from its contract. */
function expectedRead(jar: readonly Cookie[], maxChunks: number) {
  const own = jar.filter((c) => OWN.test(c.name));
  const chunks = new Map<number, string>();
  let whole: string | undefined;
  let tooMany = false;
  for (const c of own) {
    const index = OWN.exec(c.name)?.[1];
    if (index === undefined) whole = c.value;
    else if (Number(index) >= Math.min(maxChunks, HARD_CAP)) tooMany = true;
    // The last of same-named cookies wins, as Next parses a Cookie header; empty counts as absent.
    else if (c.value !== '') chunks.set(Number(index), c.value);
    else chunks.delete(Number(index));
  }
  const names = own.map((c) => c.name);
  if (tooMany) return { status: 'malformed', names };
  // A chunked value starts at `.0`; later chunks without it are leftovers, never read.
  if (!chunks.has(0)) {
    return whole ? { status: 'present', value: whole, names } : { status: 'absent', names };
  }
  // A whole cookie next to `.0`: one of them was planted; neither is trusted.
  if (whole) return { status: 'malformed', names };
  const parts: string[] = [];
  for (let i = 0; i < chunks.size; i++) {
    const part = chunks.get(i);
    if (!part) return { status: 'malformed', names };
    parts.push(part);
  }
  return { status: 'present', value: parts.join(''), names };
}

describe('chunk reassembly (fuzz)', () => {
  it('reads any jar as its contract says: only own names, no gaps, no surplus, capped', async () => {
    const arbitrary = fc.tuple(fc.array(cookie, { maxLength: 24 }), fc.integer({ min: 1, max: 20 }));
    await fuzz(arbitrary, ([jar, maxChunks]) => {
      expect(readChunkedCookie(listJar(jar), NAME, maxChunks)).toEqual(expectedRead(jar, maxChunks));
    });
  });

  it('reads a damaged chunked cookie as its contract says, whatever the order', async () => {
    const arbitrary = fc.tuple(
      fc.string({ unit: fc.constantFrom(...'AZaz09-_.'), minLength: 1, maxLength: 200 }),
      fc.integer({ min: 1, max: 8 }),
      fc.array(jarEdit(NAME), { maxLength: 4 }),
      fc.integer({ min: 1, max: 16 }),
    );
    await fuzz(arbitrary, ([value, parts, changes, maxChunks]) => {
      const size = Math.ceil(value.length / parts);
      const valid: Cookie[] = [];
      for (let i = 0; i * size < value.length; i++) {
        valid.push({ name: `${NAME}.${i}`, value: value.slice(i * size, (i + 1) * size) });
      }
      const jar = applyJarEdits(valid, changes, [[{ name: `${NAME}.0`, value: 'donor' }]]);
      const read = readChunkedCookie(listJar(jar), NAME, maxChunks);
      expect(read).toEqual(expectedRead(jar, maxChunks));
      const unique = new Set(jar.map((c) => c.name)).size === jar.length;
      if (unique) {
        const reversed = readChunkedCookie(listJar([...jar].reverse()), NAME, maxChunks);
        expect({ ...reversed, names: [...reversed.names].sort() }).toEqual({
          ...read,
          names: [...read.names].sort(),
        });
      }
    });
  });
});

describe('chunk writer (fuzz)', () => {
  it('writes any value so it reads back, in lines browsers keep, or refuses before writing', async () => {
    const arbitrary = fc.record({
      value: fc.oneof(
        fc.string({ unit: fc.constantFrom(...'ABCxyz019-_.'), minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)),
      ),
      maxChunks: fc.integer({ min: 1, max: 16 }),
      existing: fc.subarray([NAME, `${NAME}.0`, `${NAME}.1`, `${NAME}.2`, `${NAME}.5`, `${NAME}.15`]),
      options: attributes,
    });
    await fuzz(arbitrary, ({ value, maxChunks, existing, options }) => {
      const browser = new TestBrowser();
      for (const name of existing) browser.cookies.set(name, 'old');
      const jar = browser.request();
      let written: string[];
      try {
        written = writeChunkedCookie(jar, NAME, value, options, existing, maxChunks);
      } catch (error) {
        expect(error).toBeInstanceOf(SessionTooLargeError);
        expect(browser.lastWrites).toEqual([]);
        return;
      }
      jar.flush();
      for (const line of browser.lastSetCookie) expect(line.length).toBeLessThanOrEqual(4096);
      for (const name of existing) if (!written.includes(name)) expect(browser.cookies.has(name)).toBe(false);
      const read = readChunkedCookie(browser.request(), NAME, maxChunks);
      if (options.maxAge === 0) return; // written already expired
      expect(read.status === 'present' && read.value).toBe(value);
      expect([...read.names].sort()).toEqual([...written].sort());
    });
  });
});
