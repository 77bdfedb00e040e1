import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJweCodec, type JweOpenResult } from './jwe.ts';

const SECRET = 'a-long-random-secret-for-the-tests-000000';
const SALT = 'session';
const KEY = Buffer.from(hkdfSync('sha256', SECRET, SALT, 'next-session-kit', 32));
const INVALID: JweOpenResult = { ok: false, reason: 'invalid' };
const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');

interface Craft {
  header?: string; // raw JSON text of the protected header
  headerSegment?: string; // or the segment itself, used verbatim (and as AAD)
  plaintext?: Uint8Array;
  ivBytes?: number;
  tagBytes?: number;
  encryptedKey?: string;
  key?: Uint8Array;
}

// Seals exactly as asked, so each bad token is wrong in one respect only.
function craft(options: Craft = {}): string {
  const header = options.headerSegment ?? b64u(options.header ?? '{"alg":"dir","enc":"A256GCM","kid":"KID"}');
  const iv = randomBytes(options.ivBytes ?? 12);
  const cipher = createCipheriv('aes-256-gcm', options.key ?? KEY, iv, {
    authTagLength: options.tagBytes ?? 16,
  });
  cipher.setAAD(Buffer.from(header, 'ascii'));
  const ciphertext = Buffer.concat([
    cipher.update(options.plaintext ?? Buffer.from('hello')),
    cipher.final(),
  ]);
  return [header, options.encryptedKey ?? '', b64u(iv), b64u(ciphertext), b64u(cipher.getAuthTag())].join(
    '.',
  );
}

function replaceAt(text: string, index: number, char: string): string {
  return text.slice(0, index) + char + text.slice(index + 1);
}

describe.each(['node', 'web'] as const)('open() rejects bad input (%s backend)', (backend) => {
  const codec = createJweCodec({ secrets: [SECRET], salt: SALT, backend });
  const kid = (): string => codec.currentKid;
  const headerFor = (fields: Record<string, unknown>): string => JSON.stringify({ ...fields });
  const ours = (extra: Record<string, unknown> = {}): string =>
    headerFor({ alg: 'dir', enc: 'A256GCM', kid: kid(), ...extra });

  it('opens a correctly crafted token (the baseline every case below deviates from)', async () => {
    await codec.seal('warm-up');
    await expect(codec.open(craft({ header: ours() }))).resolves.toEqual({
      ok: true,
      plaintext: 'hello',
      stale: false,
    });
    await expect(codec.open(craft({ header: '{"enc":"A256GCM","alg":"dir","typ":"JWT"}' }))).resolves.toEqual(
      {
        ok: true,
        plaintext: 'hello',
        stale: false,
      },
    );
  });

  it('rejects the empty string, non-strings and absurdly long input', async () => {
    const valid = await codec.seal('x');
    const huge = `${valid.split('.')[0]}..${valid.split('.')[2]}.${'A'.repeat(1 << 20)}.${valid.split('.')[4]}`;
    for (const input of ['', '.', '....', 'a'.repeat(1 << 20), huge, `${valid}${'A'.repeat(64 * 1024)}`]) {
      await expect(codec.open(input)).resolves.toEqual(INVALID);
    }
    for (const input of [undefined, null, 42, {}, [valid], new String(valid)]) {
      await expect(codec.open(input as unknown as string)).resolves.toEqual(INVALID);
    }
  });

  it('rejects wrong segment counts and a non-empty encrypted-key segment', async () => {
    const token = await codec.seal('segments');
    const [h, , iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    const cases = [
      [h, iv, ct, tag],
      [h, '', iv, ct],
      [h, '', iv, ct, tag, ''],
      [h, '', iv, ct, tag, 'AAAA'],
      [h, '', '', iv, ct, tag],
      [h, '', iv, ct.slice(0, 4), ct.slice(4), tag],
      [h, 'AAAA', iv, ct, tag],
      [h, 'A', iv, ct, tag],
      ['', '', iv, ct, tag],
      [h, '', iv, ct, tag].slice(1),
      [token, token],
    ];
    for (const segments of cases) await expect(codec.open(segments.join('.'))).resolves.toEqual(INVALID);
    await expect(
      codec.open(craft({ header: ours(), encryptedKey: 'AAAAAAAAAAAAAAAAAAAAAA' })),
    ).resolves.toEqual(INVALID);
  });

  it('rejects non-canonical or non-base64url segments', async () => {
    const strayBits = (segment: string): string => {
      const last = segment.at(-1) as string;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      return segment.slice(0, -1) + alphabet[alphabet.indexOf(last) | 1];
    };
    // 29-byte header: 39 characters, the last carrying 2 spare bits. Sealed
    // with the non-canonical spelling as AAD, so only canonicity can reject it.
    const kidless = b64u('{"alg":"dir","enc":"A256GCM"}');
    await expect(codec.open(craft({ headerSegment: kidless }))).resolves.toMatchObject({ ok: true });
    await expect(codec.open(craft({ headerSegment: strayBits(kidless) }))).resolves.toEqual(INVALID);

    const token = await codec.seal('canon'); // 5-byte ciphertext: 7 chars, 2 spare bits
    const [h, , iv, ct, tag] = token.split('.') as [string, string, string, string, string];
    const cases = [
      [h, '', iv, strayBits(ct), tag],
      [h, '', iv, ct, strayBits(tag)],
      [h, '', iv, `${ct}=`, tag],
      [h, '', iv, ct, `${tag}==`],
      [`${h}==`, '', iv, ct, tag],
      [h, '', iv.replace(/.$/, '+'), ct, tag],
      [h, '', iv, ct.replace(/^./, '/'), tag],
      [h, '', iv, `${ct}AA`, tag], // impossible length (4n + 1)
      [h, '', ` ${iv.slice(1)}`, ct, tag],
      [h, '', iv, ct, `${tag.slice(0, 21)}\n`],
    ];
    for (const segments of cases) await expect(codec.open(segments.join('.'))).resolves.toEqual(INVALID);
  });

  it('rejects headers that are not a JSON object', async () => {
    const token = await codec.seal('header');
    const rest = token.slice(token.indexOf('.'));
    const headers = [
      '',
      'not json',
      '[]',
      'null',
      '42',
      '"dir"',
      'true',
      '{"alg":"dir","enc":"A256GCM"',
      '{}',
    ];
    for (const header of headers) await expect(codec.open(b64u(header) + rest)).resolves.toEqual(INVALID);
    const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    await expect(codec.open(b64u(notUtf8) + rest)).resolves.toEqual(INVALID);
    await expect(codec.open(craft({ header: '["dir","A256GCM"]' }))).resolves.toEqual(INVALID);
  });

  it.each([
    ['alg "none"', { alg: 'none' }],
    ['alg "A256KW"', { alg: 'A256KW' }],
    ['alg "DIR"', { alg: 'DIR' }],
    ['missing alg', { alg: undefined }],
    ['enc "A128GCM"', { enc: 'A128GCM' }],
    ['enc "A256CBC-HS512"', { enc: 'A256CBC-HS512' }],
    ['missing enc', { enc: undefined }],
    ['zip "DEF"', { zip: 'DEF' }],
    ['zip null', { zip: null }],
    ['crit []', { crit: [] }],
    ['crit ["exp"]', { crit: ['exp'], exp: 1 }],
    ['numeric kid', { kid: 42 }],
    ['null kid', { kid: null }],
  ])('rejects a header with %s even when properly encrypted', async (_name, change) => {
    await codec.seal('warm-up');
    await expect(codec.open(craft({ header: ours(change) }))).resolves.toEqual(INVALID);
  });

  it('rejects a wrong IV length or a truncated tag even when properly encrypted', async () => {
    await codec.seal('warm-up');
    for (const ivBytes of [8, 11, 13, 16]) {
      await expect(codec.open(craft({ header: ours(), ivBytes }))).resolves.toEqual(INVALID);
    }
    for (const tagBytes of [4, 8, 12, 13, 14, 15]) {
      await expect(codec.open(craft({ header: ours(), tagBytes }))).resolves.toEqual(INVALID);
    }
  });

  it('rejects authenticated plaintext that is not valid UTF-8', async () => {
    await codec.seal('warm-up');
    for (const bytes of [[0xff], [0xc3], [0x68, 0x69, 0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      await expect(codec.open(craft({ header: ours(), plaintext: Buffer.from(bytes) }))).resolves.toEqual(
        INVALID,
      );
    }
  });

  it('rejects a right-kid token sealed with another key (auth failure) as invalid', async () => {
    await codec.seal('warm-up');
    await expect(codec.open(craft({ header: ours(), key: randomBytes(32) }))).resolves.toEqual(INVALID);
    // Without a kid every key is tried; none authenticates.
    await expect(
      codec.open(craft({ header: '{"alg":"dir","enc":"A256GCM"}', key: randomBytes(32) })),
    ).resolves.toEqual(INVALID);
  });

  it('reports unknown-key only for a well-formed token with a foreign kid', async () => {
    const foreign = craft({ header: ours({ kid: 'zzzz' }), key: randomBytes(32) });
    await expect(codec.open(foreign)).resolves.toEqual({ ok: false, reason: 'unknown-key' });
    await expect(codec.open(craft({ header: ours({ kid: '' }) }))).resolves.toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    // A foreign kid does not excuse a malformed token.
    await expect(codec.open(`${foreign.slice(0, -1)}`)).resolves.toEqual(INVALID);
    await expect(codec.open(craft({ header: ours({ kid: 'zzzz', zip: 'DEF' }) }))).resolves.toEqual(INVALID);
    await expect(codec.open(craft({ header: ours({ kid: 'zzzz' }), ivBytes: 16 }))).resolves.toEqual(INVALID);
  });

  it('rejects every truncation of a valid token', async () => {
    const token = await codec.seal('{"userId":42,"name":"Zoë"}');
    for (let length = 0; length < token.length; length++) {
      await expect(codec.open(token.slice(0, length))).resolves.toEqual(INVALID);
      await expect(codec.open(token.slice(token.length - length))).resolves.toEqual(INVALID);
    }
  });

  it('rejects every single-character change', async () => {
    const token = await codec.seal('{"userId":42,"name":"Zoë"}');
    const headerEnd = token.indexOf('.');
    for (let i = 0; i < token.length; i++) {
      const original = token[i] as string;
      for (const replacement of [original === 'A' ? 'B' : 'A', original === 'w' ? 'g' : 'w', '.', 'é']) {
        if (replacement === original) continue;
        const result = await codec.open(replaceAt(token, i, replacement));
        // Changing the kid's characters in the header can name a key we do not have.
        if (i < headerEnd && replacement !== '.' && replacement !== 'é') expect(result.ok).toBe(false);
        else expect(result).toEqual(INVALID);
      }
    }
  });

  it('rejects non-ASCII garbage', async () => {
    const token = await codec.seal('garbage');
    const inputs = [
      '€€€.€.€.€.€',
      '😀😀😀',
      '\u0000'.repeat(100),
      '\uD800.\uDC00..',
      token.replace(/\./g, '\uFF0E'),
      `${token}\u0000`,
      `\uFEFF${token}`,
      replaceAt(token, 0, '\uFF45'), // full-width 'e'
      replaceAt(token, token.length - 1, '\u0100'),
    ];
    for (const input of inputs) await expect(codec.open(input)).resolves.toEqual(INVALID);
  });

  it('never throws or rejects, and never accepts anything but the exact token (property)', async () => {
    const token = await codec.seal('{"p":1}');
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é\u0000';
    const mutated = fc
      .tuple(fc.nat(token.length), fc.nat(token.length), fc.string({ unit: fc.constantFrom(...alphabet) }))
      .map(([start, length, insert]) => token.slice(0, start) + insert + token.slice(start + length))
      .filter((candidate) => candidate !== token);
    const arbitrary = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutated);
    await fc.assert(
      fc.asyncProperty(arbitrary, async (input) => {
        const result = await codec.open(input);
        expect(result.ok).toBe(false);
      }),
      { numRuns: backend === 'web' ? 300 : 1000 },
    );
  });
});
