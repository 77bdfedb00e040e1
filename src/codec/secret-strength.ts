// A deliberately simple and generous estimate of how many bits a secret can
// hold. It knows no dictionary, so it cannot tell a guessable phrase from a
// random one; it only refuses what plainly cannot hold 128 bits: one
// character repeated, a short cycle, a run such as "abcdef", two or three
// different characters.
//
//   bits = (characters that count) × log2(pool)
//
// - pool: the sizes of the character classes used, added up (a-z 26, A-Z 26,
//   0-9 10, other printable ASCII including space 33, anything else 100), but
//   at most 3 × the number of different characters. Raw key bytes use the
//   same classes, with the 161 byte values outside printable ASCII as the
//   last class (32 random bytes: a pool of about 90, 6.5 bits a byte).
// - every character counts, except those that repeat an earlier stretch of
//   six or more (LZ77-style, overlapping allowed: "aaaa…" and "abcabc…" count
//   their first cycle only) and those that continue a run of four with the
//   same step of -1, 0 or +1 ("aaaa", "abcd", "9876").
//
// Random secrets keep a wide margin: a `npx next-session-kit secret` output
// (43 base64url characters) scores about 280 and never less than ~230, far
// from 128; 32 random hex digits score about 165.

/**
 * What a secret must reach in {@link estimateSecretBits}.
 *
 * @internal
 */
export const MIN_SECRET_BITS = 128;

/**
 * The shortest secret accepted, in characters (UTF-16 code units).
 *
 * @internal
 */
export const MIN_SECRET_LENGTH = 32;

/**
 * How to make a good secret, for error messages.
 *
 * @internal
 */
export const SECRET_ADVICE = 'Generate one with `npx next-session-kit secret` (32 random bytes, base64url).';

// Shorter repeats happen by chance in random text; six never do in practice.
const MIN_REPEAT = 6;
const RUN = 4;
const DISTINCT_FACTOR = 3;
// How far back repeats are looked for: bounds the work on very long secrets.
const WINDOW = 256;
const OTHER_CHARACTERS = 100;
const OTHER_BYTES = 161;

/**
 * Estimated bits a secret string can hold (see the rule at the top of this file).
 *
 * @internal
 */
export function estimateSecretBits(secret: string): number {
  const symbols = Array.from(secret, (c) => c.codePointAt(0) as number);
  const counted = countedSymbols(symbols).filter(Boolean).length;
  return counted === 0 ? 0 : counted * Math.log2(pool(symbols, OTHER_CHARACTERS));
}

/**
 * Estimated bits of each half of raw key bytes (same rule, over bytes), e.g.
 * a Fernet key's signing half and encryption half.
 *
 * @internal
 */
export function estimateKeyHalvesBits(key: Uint8Array): [number, number] {
  const symbols = Array.from(key);
  const counted = countedSymbols(symbols);
  const perSymbol = symbols.length === 0 ? 0 : Math.log2(pool(symbols, OTHER_BYTES));
  const half = Math.floor(symbols.length / 2);
  const first = counted.slice(0, half).filter(Boolean).length;
  const second = counted.slice(half).filter(Boolean).length;
  return [first * perSymbol, second * perSymbol];
}

/**
 * Why a secret is refused, worded to follow its name ("`secret` …"), or
 * `undefined` when it is fine. Never quotes the secret.
 *
 * @internal
 */
export function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
    return `must be a string of at least ${MIN_SECRET_LENGTH} characters.`;
  }
  if (estimateSecretBits(secret) < MIN_SECRET_BITS) {
    return (
      `is too weak: it cannot hold ${MIN_SECRET_BITS} bits (it repeats itself, counts up or down like ` +
      '"abcd", or uses very few different characters).'
    );
  }
  return undefined;
}

function pool(symbols: readonly number[], other: number): number {
  let lower = 0;
  let upper = 0;
  let digit = 0;
  let ascii = 0;
  let rest = 0;
  for (const c of symbols) {
    if (c >= 0x61 && c <= 0x7a) lower = 26;
    else if (c >= 0x41 && c <= 0x5a) upper = 26;
    else if (c >= 0x30 && c <= 0x39) digit = 10;
    else if (c >= 0x20 && c <= 0x7e) ascii = 33;
    else rest = other;
  }
  const distinct = new Set(symbols).size;
  return Math.min(lower + upper + digit + ascii + rest, DISTINCT_FACTOR * distinct);
}

function countedSymbols(symbols: readonly number[]): boolean[] {
  const counted = symbols.map(() => true);
  let i = 0;
  while (i < symbols.length) {
    const repeat = longestEarlierMatch(symbols, i);
    if (repeat >= MIN_REPEAT) {
      counted.fill(false, i, i + repeat);
      i += repeat;
      continue;
    }
    if (continuesRun(symbols, i)) counted[i] = false;
    i++;
  }
  return counted;
}

function continuesRun(symbols: readonly number[], at: number): boolean {
  if (at < RUN - 1) return false;
  const step = (symbols[at] as number) - (symbols[at - 1] as number);
  if (step < -1 || step > 1) return false;
  for (let k = 1; k < RUN - 1; k++) {
    if ((symbols[at - k] as number) - (symbols[at - k - 1] as number) !== step) return false;
  }
  return true;
}

// Longest stretch starting at `at` that also starts at an earlier position.
// It may run on into `at` itself, as in LZ77: that is how cycles show.
function longestEarlierMatch(symbols: readonly number[], at: number): number {
  let best = 0;
  for (let from = Math.max(0, at - WINDOW); from < at; from++) {
    let length = 0;
    while (at + length < symbols.length && symbols[from + length] === symbols[at + length]) length++;
    if (length > best) best = length;
  }
  return best;
}
