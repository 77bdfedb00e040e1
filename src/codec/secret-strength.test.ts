// The secret-strength estimate: every generated secret passes, the plainly
// weak ones are refused. The generated secrets use fixed seeds so a run is
// reproducible: the estimate is generous, but a secret exactly at 128 bits
// (32 hex digits) can still be refused in about one case in a million, when
// it happens to hold only decimal digits or repeat six characters (measured
// over 10^6 samples per alphabet while choosing the rule).
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateKeyHalvesBits, estimateSecretBits, MIN_SECRET_BITS } from './secret-strength.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const DIGITS = '0123456789';
const HEX = '0123456789abcdef';
const BASE64 = `${UPPER}${LOWER}${DIGITS}+/`;
const BASE64URL = `${UPPER}${LOWER}${DIGITS}-_`;
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
const CYRILLIC = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x410 + i)).join('');

// 256 words (8 bits each): a passphrase needs 16 of them for 128 bits.
const WORDS =
  `above absolute action actions aes after again against aiohttp all already and any api app are async
auth await backed baseline before below bench both browser build bytes call calls can cannot change changed changes
check client cluster code commands const cookie cookies core cores count cpu creation crypto data default delete demo
dev does domain each earlier empty end ends env error evalsha every export expose fernet field file first flash for
form format fresh from function gcm get guard handler handlers has headers here hgetall host how http https idle
import index install instead into ioredis iron its itself json jwt keep key keys kit last lib library live load loads
local login logout maxage measured memjs message messages migrate more most must name never new next node not nothing
npm nsk object old older once one only open options origin other out over own page path per process profile proxy
python random ratios raw read reads real record records redirect redis refresh refuses render req request requests
response rest return returns rotation round rounds route run runs same save schema script seal sealed secret secure
security see server session sessions set short shows sign signed small start still storage storages store stored
string target test testing tests than that the their them theme then this through throws time timeout token trips
true tsx ttl two type under upstash url use user userid valid value values vercel version vitest was what when where
which while whole with without works write writes written you your`.split(/\s+/);

/** Uniform random strings of `length` characters from `alphabet` (no bias towards small values). */
function randomText(alphabet: string, length: number): fc.Arbitrary<string> {
  const chars = Array.from(alphabet);
  return fc
    .noBias(fc.array(fc.integer({ min: 0, max: chars.length - 1 }), { minLength: length, maxLength: length }))
    .map((indexes) => indexes.map((i) => chars[i]).join(''));
}

function passphrase(words: number): fc.Arbitrary<string> {
  const word = fc.noBias(fc.integer({ min: 0, max: WORDS.length - 1 })).map((i) => WORDS[i] as string);
  return fc
    .tuple(
      fc.array(word, { minLength: words, maxLength: words }),
      fc.constantFrom(' ', '-', '.', '_', ''),
      fc.boolean(),
    )
    .map(([list, separator, capitalize]) =>
      list.map((w) => (capitalize ? w[0]?.toUpperCase() + w.slice(1) : w)).join(separator),
    );
}

function expectStrong(secret: string): void {
  expect(estimateSecretBits(secret), secret).toBeGreaterThanOrEqual(MIN_SECRET_BITS);
}

describe('estimateSecretBits', () => {
  it('passes every `npx next-session-kit secret` output (32 random bytes, base64url)', () => {
    // Real randomness: the margin is wide (about 280, and never below ~230 in
    // 10^6 samples), so nothing here depends on a lucky seed.
    for (let i = 0; i < 20_000; i++) expectStrong(randomBytes(32).toString('base64url'));
  });

  it.each([
    ['hex, 32 digits (128 bits, openssl rand -hex 16)', HEX, 32],
    ['HEX, 32 digits', HEX.toUpperCase(), 32],
    ['hex, 64 digits (openssl rand -hex 32)', HEX, 64],
    ['base64, 32 characters', BASE64, 32],
    ['base64url, 32 characters', BASE64URL, 32],
    ['letters and digits, 32', `${LOWER}${UPPER}${DIGITS}`, 32],
    ['lowercase letters and digits, 32', `${LOWER}${DIGITS}`, 32],
    ['lowercase letters, 32 (150 bits)', LOWER, 32],
    ['printable ASCII, 32', PRINTABLE, 32],
    ['decimal digits, 48 (159 bits)', DIGITS, 48],
    ['Cyrillic letters, 32', CYRILLIC, 32],
  ])('passes random secrets: %s', (_name, alphabet, length) => {
    fc.assert(fc.property(randomText(alphabet, length), expectStrong), { seed: 13, numRuns: 5_000 });
  });

  it('passes the usual command-line secrets', () => {
    for (let i = 0; i < 2_000; i++) {
      expectStrong(randomBytes(32).toString('base64')); // openssl rand -base64 32
      expectStrong(randomBytes(24).toString('base64')); // openssl rand -base64 24 (32 characters)
      expectStrong(randomBytes(32).toString('hex')); // openssl rand -hex 32
      expectStrong(`${crypto.randomUUID()}${crypto.randomUUID()}`);
    }
  });

  it('passes diceware-style passphrases of 128 bits (16 words from a list of 256)', () => {
    expect(new Set(WORDS).size).toBe(256);
    fc.assert(fc.property(passphrase(16), expectStrong), { seed: 13, numRuns: 5_000 });
  });

  it.each([
    ['one character', 'a'.repeat(32)],
    ['one character, long', 'x'.repeat(200)],
    ['one emoji', '🔑'.repeat(20)],
    ['one character and a tail', `${'a'.repeat(40)}X`],
    ['a short cycle', 'abc'.repeat(11)],
    ['a two-character cycle', 'ab'.repeat(16)],
    ['a word, repeated', 'password'.repeat(4)],
    ['a word, repeated, with separators', 'secret-secret-secret-secret-secret'],
    ['a mixed word, repeated', 'Passw0rd!'.repeat(4)],
    ['a hex word, repeated', 'deadbeef'.repeat(4)],
    ['digits in a cycle', '0123456789'.repeat(4)],
    ['a non-ASCII phrase, repeated', 'Zoë secret Zoë secret Zoë secret Zoë'],
    ['the alphabet', 'abcdefghijklmnopqrstuvwxyz012345'],
    ['the alphabet, both cases', 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef'],
    ['counting', '12345678901234567890123456789012'],
    ['32 random decimal digits (106 bits)', '84937261058374926150384759261038'],
    ['two different characters', 'abababbbaabababbbbabaaababbababa'],
    ['two digits', '01101001100101101001011001101001'],
    ['three different characters', 'abcabcbcacbacbabcacbacbacbacbabc'],
    ['four different characters', 'abcdabdcbadcbdacbdcabdcabdcbadcbadcbadbcadbcadbcadcb'],
  ])('refuses %s', (_name, secret) => {
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(estimateSecretBits(secret)).toBeLessThan(MIN_SECRET_BITS);
  });
});

describe('estimateKeyHalvesBits', () => {
  it('gives each half of 32 random bytes (a Fernet key) well over 64 bits', () => {
    for (let i = 0; i < 20_000; i++) {
      const [signing, encryption] = estimateKeyHalvesBits(randomBytes(32));
      expect(signing).toBeGreaterThanOrEqual(90);
      expect(encryption).toBeGreaterThanOrEqual(90);
    }
  });

  it('finds the weak half of a key', () => {
    const random = randomBytes(16);
    const cases: [string, Uint8Array][] = [
      ['32 identical bytes', new Uint8Array(32).fill(0x41)],
      ['32 zero bytes', new Uint8Array(32)],
      ['counting bytes', Uint8Array.from({ length: 32 }, (_, i) => i)],
      ['a zero signing half', Buffer.concat([new Uint8Array(16), random])],
      ['a zero encryption half', Buffer.concat([random, new Uint8Array(16)])],
      ['the same half twice', Buffer.concat([random, random])],
    ];
    for (const [name, key] of cases) {
      expect(Math.min(...estimateKeyHalvesBits(key)), name).toBeLessThan(64);
    }
  });
});
