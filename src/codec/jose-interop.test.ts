import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJweCodec } from './jwe.ts';
import { deriveCookieKey } from './keys.ts';

const SECRET = 'a-long-random-secret-for-the-tests-000000';
const OLD_SECRET = 'the-previous-secret-that-was-rotated-out-1';
const SALT = 'session';
const PLAINTEXT = '{"userId":42,"name":"Zoë 😀","nul":"\u0000"}';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

describe.each(['node', 'web'] as const)('jose interoperability (%s backend)', (backend) => {
  const codec = createJweCodec({ secrets: [SECRET, OLD_SECRET], salt: SALT, backend });

  it('our tokens decrypt with jose and the key from deriveCookieKey', async () => {
    const token = await codec.seal(PLAINTEXT);
    const { plaintext, protectedHeader } = await compactDecrypt(token, await deriveCookieKey(SECRET, SALT));
    expect(new TextDecoder().decode(plaintext)).toBe(PLAINTEXT);
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', kid: codec.currentKid });
  });

  it('opens jose tokens with our exact header (fast path)', async () => {
    await codec.seal('warm-up');
    const token = await new CompactEncrypt(encode(PLAINTEXT))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: codec.currentKid })
      .encrypt(await deriveCookieKey(SECRET, SALT));
    await expect(codec.open(token)).resolves.toEqual({ ok: true, plaintext: PLAINTEXT, stale: false });
  });

  it('opens jose tokens with another header spelling (parsed path)', async () => {
    await codec.seal('warm-up');
    const token = await new CompactEncrypt(encode(PLAINTEXT))
      .setProtectedHeader({ enc: 'A256GCM', typ: 'JWT', alg: 'dir', kid: codec.currentKid })
      .encrypt(await deriveCookieKey(SECRET, SALT));
    await expect(codec.open(token)).resolves.toEqual({ ok: true, plaintext: PLAINTEXT, stale: false });
  });

  it('opens jose tokens without a kid by trying every key', async () => {
    const current = await new CompactEncrypt(encode('current'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(await deriveCookieKey(SECRET, SALT));
    await expect(codec.open(current)).resolves.toEqual({ ok: true, plaintext: 'current', stale: false });
    const old = await new CompactEncrypt(encode('old'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(await deriveCookieKey(OLD_SECRET, SALT));
    await expect(codec.open(old)).resolves.toEqual({ ok: true, plaintext: 'old', stale: true });
    const stranger = await new CompactEncrypt(encode('stranger'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .encrypt(await deriveCookieKey('someone-else', SALT));
    await expect(codec.open(stranger)).resolves.toEqual({ ok: false, reason: 'invalid' });
  });

  it('reports unknown-key for a jose token whose kid is not ours', async () => {
    const token = await new CompactEncrypt(encode('x'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'abcd' })
      .encrypt(await deriveCookieKey('someone-else', SALT));
    await expect(codec.open(token)).resolves.toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('rejects jose tokens with other algorithms', async () => {
    const a128 = await new CompactEncrypt(encode('x'))
      .setProtectedHeader({ alg: 'dir', enc: 'A128GCM' })
      .encrypt((await deriveCookieKey(SECRET, SALT)).subarray(0, 16));
    await expect(codec.open(a128)).resolves.toEqual({ ok: false, reason: 'invalid' });
    const wrapped = await new CompactEncrypt(encode('x'))
      .setProtectedHeader({ alg: 'A256KW', enc: 'A256GCM' })
      .encrypt(await deriveCookieKey(SECRET, SALT));
    await expect(codec.open(wrapped)).resolves.toEqual({ ok: false, reason: 'invalid' });
  });
});
