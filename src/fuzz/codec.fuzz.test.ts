// Hostile input to the cookie codec: base64url, the protected header, key
// lookup by `kid`, and whole JWE tokens, random or damaged valid ones.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  base64urlDecode,
  base64urlEncode,
  base64urlEncodeText,
  isBase64url,
  sextet,
} from '../codec/base64url.ts';
import { parseProtectedHeader, protectedHeaderSegment } from '../codec/header.ts';
import { createJweCodec } from '../codec/jwe.ts';
import { countDecryptions, createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import {
  applyEdits,
  applyTokenChanges,
  codePointString,
  edits,
  hostileString,
  jweHeaderFields,
  pollutingJson,
  tokenChange,
} from '../test-utils/hostile.ts';

const fuzz = createFuzzer('codec');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('base64url (fuzz)', () => {
  it('accepts exactly the canonical spelling of some bytes, like Buffer does', async () => {
    await fuzz(hostileString(64), (text) => {
      const decoded = base64urlDecode(text);
      expect(isBase64url(text)).toBe(decoded !== undefined);
      if (decoded === undefined) return;
      expect(base64urlEncode(decoded)).toBe(text);
      expect(Buffer.from(decoded).equals(Buffer.from(text, 'base64url'))).toBe(true);
    });
  });

  it('round-trips any bytes', async () => {
    await fuzz(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = base64urlEncode(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(isBase64url(text)).toBe(true);
      expect(base64urlDecode(text)).toEqual(bytes);
    });
  });

  it('maps every UTF-16 code unit to its sextet or to nothing', async () => {
    await fuzz(fc.integer({ min: -1, max: 0x1ffff }), (code) => {
      const index = code >= 0 && code < 0x10000 ? ALPHABET.indexOf(String.fromCharCode(code)) : -1;
      expect(sextet(code)).toBe(index === -1 ? undefined : index);
    });
  });
});

function acceptable(fields: Record<string, unknown>): { kid: string | undefined } | undefined {
  const own = (key: string) => (Object.hasOwn(fields, key) ? fields[key] : undefined);
  if (own('alg') !== 'dir' || own('enc') !== 'A256GCM') return undefined;
  if (Object.hasOwn(fields, 'zip') || Object.hasOwn(fields, 'crit')) return undefined;
  const kid = own('kid');
  if (kid !== undefined && typeof kid !== 'string') return undefined;
  return { kid };
}

describe('protected header (fuzz)', () => {
  it('accepts exactly alg "dir", enc "A256GCM", no zip or crit, and a string kid if any', async () => {
    const arbitrary = fc.oneof(
      { weight: 3, arbitrary: jweHeaderFields.map((fields) => ({ json: JSON.stringify(fields), fields })) },
      pollutingJson().map((value) => ({ json: JSON.stringify(value) ?? 'null', fields: undefined })),
    );
    await fuzz(arbitrary, ({ json, fields }) => {
      const parsed = parseProtectedHeader(base64urlEncodeText(json));
      const value: unknown = JSON.parse(json);
      const expected =
        typeof value === 'object' && value !== null && !Array.isArray(value)
          ? acceptable(value as Record<string, unknown>)
          : undefined;
      expect(parsed).toEqual(expected);
      if (fields !== undefined && expected !== undefined) expect(expected.kid).toBe(fields.kid);
      expectPrototypesIntact();
    });
  });

  it('never throws on damaged or arbitrary segments', async () => {
    const segment = fc.oneof(
      hostileString(80),
      fc
        .tuple(
          fc.constantFrom('{"alg":"dir","enc":"A256GCM","kid":"abcd"}', '{"__proto__":{"alg":"dir"}}'),
          edits(),
        )
        .map(([json, changes]) => base64urlEncodeText(applyEdits(json, changes))),
      edits().map((changes) => applyEdits(protectedHeaderSegment('abcd'), changes)),
    );
    await fuzz(segment, (text) => {
      const parsed = parseProtectedHeader(text);
      expect(parsed === undefined || parsed.kid === undefined || typeof parsed.kid === 'string').toBe(true);
      expectPrototypesIntact();
    });
  });
});

const CURRENT = 'fuzz-current-secret-that-is-long-enough-01';
const OLDER = 'fuzz-older-secret-that-is-long-enough-0002';
const STRANGER = 'fuzz-unknown-secret-that-is-long-enough-03';

describe.each(['node', 'web'] as const)('JWE open (fuzz, %s backend)', (backend) => {
  const codec = createJweCodec({ secrets: [CURRENT, OLDER], salt: 'session', backend });
  const older = createJweCodec({ secrets: [OLDER], salt: 'session', backend });
  const stranger = createJweCodec({ secrets: [STRANGER], salt: 'session', backend });
  const otherCookie = createJweCodec({ secrets: [CURRENT], salt: 'other', backend });
  // Every token `codec` may open, with its plaintext.
  const openable = new Map<string, string>();
  const donors: string[] = [];
  let kids: string[] = [];
  let strangerKid = '';
  const weight = backend === 'web' ? 0.5 : 1;

  beforeAll(async () => {
    for (const [source, plaintext] of [
      [codec, '[{"user":"ada"},"AZq3x0f2Kd9w"]'],
      [codec, ''],
      [codec, 'x'.repeat(700)],
      [older, '[{"old":true},"AZq3x0f2Kd9w"]'],
    ] as const) {
      const token = await source.seal(plaintext);
      openable.set(token, plaintext);
      donors.push(token);
    }
    donors.push(await stranger.seal('[{"stranger":1},"AZq3x0f2Kd9w"]'));
    donors.push(await otherCookie.seal('[{"other":1},"AZq3x0f2Kd9w"]'));
    kids = [codec.currentKid, older.currentKid];
    strangerKid = stranger.currentKid;
  });

  it('never rejects on arbitrary input, and opens none of it', async () => {
    await fuzz(
      hostileString(200),
      async (input) => {
        const result = await codec.open(input);
        expect(result.ok).toBe(false);
      },
      { weight },
    );
  });

  it('opens a damaged valid token only if it is byte-identical to a token sealed with a known key', async () => {
    const arbitrary = fc.tuple(fc.nat(), fc.array(tokenChange, { minLength: 1, maxLength: 2 }));
    const decryptions = countDecryptions();
    let decrypted = 0;
    let cases = 0;
    try {
      await fuzz(
        arbitrary,
        async ([pick, changes]) => {
          const original = donors[pick % donors.length] as string;
          const token = applyTokenChanges(original, changes, donors, [...kids, strangerKid]);
          const before = decryptions.count;
          const result = await codec.open(token);
          cases++;
          if (decryptions.count > before) decrypted++;
          const expected = openable.get(token);
          if (result.ok) {
            expect(expected).toBeDefined();
            expect(result.plaintext).toBe(expected);
            expect(result.stale).toBe(!token.startsWith(protectedHeaderSegment(codec.currentKid)));
            return;
          }
          expect(expected).toBeUndefined();
          if (result.reason === 'unknown-key') {
            // Only a well-formed header naming a kid this codec does not have.
            const header = parseProtectedHeader(token.split('.')[0] ?? '');
            expect(header?.kid).toBeDefined();
            expect(kids).not.toContain(header?.kid);
          }
          expectPrototypesIntact();
        },
        { weight },
      );
    } finally {
      decryptions.restore();
    }
    // The damage must not stop every token at the format checks: a good share
    // has to reach AES-GCM for the property to say anything about it.
    expect(decrypted).toBeGreaterThan(cases / 20);
  });

  it('round-trips any plaintext', async () => {
    await fuzz(
      codePointString(200),
      async (plaintext) => {
        const result = await codec.open(await codec.seal(plaintext));
        expect(result).toEqual({ ok: true, plaintext, stale: false });
      },
      { weight },
    );
  });
});
