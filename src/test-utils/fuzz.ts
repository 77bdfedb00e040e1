import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, expect, vi } from 'vitest';

// Small by default so `vitest run` stays fast; `npm run fuzz` raises it.
const DEFAULT_RUNS = 200;

/**
 * Cases per property: `FUZZ_RUNS` (default 200) times `weight`, at least 1.
 * Expensive properties (a store round trip per case) use a weight below 1.
 */
export function fuzzRuns(weight = 1): number {
  const raw = process.env.FUZZ_RUNS;
  const base = raw === undefined || raw === '' ? DEFAULT_RUNS : Number(raw);
  if (!Number.isInteger(base) || base < 1) throw new Error('FUZZ_RUNS must be a positive whole number.');
  return Math.max(1, Math.round(base * weight));
}

// FUZZ_SEED replays a run: fast-check prints the seed of a failing one.
function fuzzSeed(): number | undefined {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error('FUZZ_SEED must be a whole number.');
  return seed;
}

/** A property checker bound to one fuzz file; see {@link createFuzzer}. */
export type Fuzz = <T>(
  arbitrary: fc.Arbitrary<T>,
  check: (value: T) => unknown,
  options?: { weight?: number },
) => Promise<void>;

/**
 * Returns `fuzz(arbitrary, check)`, which runs `check` on `fuzzRuns()` generated
 * inputs and counts every input it really checked. When `FUZZ_COUNT_FILE` is
 * set (by scripts/fuzz.mjs), the counts of this file's tests are appended to
 * it after the file ran, one JSON line per test.
 */
export function createFuzzer(file: string): Fuzz {
  const counts = new Map<string, number>();
  afterAll(() => {
    const target = process.env.FUZZ_COUNT_FILE;
    if (target === undefined || target === '') return;
    const lines = [...counts].map(([test, cases]) => `${JSON.stringify({ file, test, cases })}\n`);
    appendFileSync(target, lines.join(''));
  });
  const seed = fuzzSeed();
  return async (arbitrary, check, options = {}) => {
    const test = expect.getState().currentTestName ?? 'unknown';
    const property = fc.asyncProperty(arbitrary, async (value) => {
      await check(value);
      counts.set(test, (counts.get(test) ?? 0) + 1);
    });
    await fc.assert(property, {
      numRuns: fuzzRuns(options.weight),
      ...(seed !== undefined && { seed }),
    });
  };
}

const pristine = (
  [
    ['Object.prototype', Object.prototype],
    ['Array.prototype', Array.prototype],
    ['Function.prototype', Function.prototype],
    ['String.prototype', String.prototype],
  ] as const
).map(([name, proto]) => ({ name, proto, before: snapshot(proto) }));

function snapshot(proto: object): Map<PropertyKey, unknown> {
  const values = new Map<PropertyKey, unknown>();
  for (const key of Reflect.ownKeys(proto)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(proto, key);
    values.set(key, descriptor?.get ?? descriptor?.value);
  }
  values.set('[[Prototype]]', Object.getPrototypeOf(proto));
  return values;
}

/** Fails unless the built-in prototypes are exactly as they were when this module loaded. */
export function expectPrototypesIntact(): void {
  for (const { name, proto, before } of pristine) {
    const now = snapshot(proto);
    if (now.size !== before.size) expect.fail(`${name} gained or lost properties`);
    for (const [key, value] of now) {
      if (!before.has(key) || before.get(key) !== value)
        expect.fail(`${name}.${String(key)} was added or replaced`);
    }
  }
}

/**
 * Counts AES-GCM decryptions by either codec backend (node:crypto's
 * `createDecipheriv`, WebCrypto's `decrypt`); the real functions still run.
 */
export function countDecryptions(): { readonly count: number; restore(): void } {
  const node = vi.spyOn(process.getBuiltinModule('node:crypto'), 'createDecipheriv');
  const web = vi.spyOn(globalThis.crypto.subtle, 'decrypt');
  return {
    get count() {
      return node.mock.calls.length + web.mock.calls.length;
    },
    restore() {
      node.mockRestore();
      web.mockRestore();
    },
  };
}
