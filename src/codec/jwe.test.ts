import { createHash, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createJweCodec, type JweCodec } from './jwe.ts';

const BACKENDS = ['node', 'web'] as const;
type Backend = (typeof BACKENDS)[number];

const SECRET = 'a-long-random-secret-for-the-tests-000000';
const OLD_SECRET = 'the-previous-secret-that-was-rotated-out-1';
const OTHER_SECRET = 'a-secret-from-some-other-application-0000';

function codec(backend: Backend, secrets: readonly string[] = [SECRET], salt = 'session'): JweCodec {
  return createJweCodec({ secrets, salt, backend });
}

function kidOf(secret: string, salt: string): string {
  const key = Buffer.from(hkdfSync('sha256', secret, salt, 'next-session-kit', 32));
  return createHash('sha256').update(key).digest().subarray(0, 3).toString('base64url');
}

// Two secrets whose 24-bit kids collide (birthday bound: a few thousand tries).
let collision: [string, string] | undefined;
function collidingSecrets(): [string, string] {
  collision ??= findCollision();
  return collision;
}
function findCollision(): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; ; i++) {
    const secret = `collision-candidate-${i}`;
    const kid = kidOf(secret, 'session');
    const earlier = seen.get(kid);
    if (earlier !== undefined) return [earlier, secret];
    seen.set(kid, secret);
  }
}

const originalLoader = process.getBuiltinModule;
function withoutNodeCrypto<T>(fn: () => T): T {
  Object.defineProperty(process, 'getBuiltinModule', {
    value: undefined,
    configurable: true,
    writable: true,
  });
  try {
    return fn();
  } finally {
    Object.defineProperty(process, 'getBuiltinModule', {
      value: originalLoader,
      configurable: true,
      writable: true,
    });
  }
}

describe.each(BACKENDS)('JWE codec (%s backend)', (backend) => {
  const other: Backend = backend === 'node' ? 'web' : 'node';

  it('writes compact JWE with the exact protected header', async () => {
    const c = codec(backend);
    const token = await c.seal('{"userId":42}');
    const segments = token.split('.');
    expect(segments).toHaveLength(5);
    const [header, encryptedKey, iv, ciphertext, tag] = segments as [string, string, string, string, string];
    expect(Buffer.from(header, 'base64url').toString('utf8')).toBe(
      `{"alg":"dir","enc":"A256GCM","kid":"${kidOf(SECRET, 'session')}"}`,
    );
    expect(encryptedKey).toBe('');
    expect(Buffer.from(iv, 'base64url')).toHaveLength(12);
    expect(Buffer.from(ciphertext, 'base64url')).toHaveLength('{"userId":42}'.length);
    expect(Buffer.from(tag, 'base64url')).toHaveLength(16);
    expect(c.currentKid).toBe(kidOf(SECRET, 'session'));
  });

  it('uses a fresh IV for every seal', async () => {
    const c = codec(backend);
    const tokens = await Promise.all(Array.from({ length: 20 }, () => c.seal('same')));
    expect(new Set(tokens).size).toBe(20);
    expect(new Set(tokens.map((t) => t.split('.')[2])).size).toBe(20);
  });

  it.each([
    ['empty', ''],
    ['ascii JSON', '{"userId":42,"roles":["admin"]}'],
    ['emoji and NUL', 'a\u0000b😀🏳️‍🌈\u0000'],
    ['BOM first', '\uFEFFbom'],
    ['CJK and combining marks', '漢字 é e\u0301 ﷽'],
    ['long', 'x'.repeat(40_000)],
  ])('round-trips %s plaintext', async (_name, plaintext) => {
    const c = codec(backend);
    await expect(c.open(await c.seal(plaintext))).resolves.toEqual({ ok: true, plaintext, stale: false });
  });

  it(`opens tokens sealed by the ${other} backend and vice versa`, async () => {
    const mine = codec(backend);
    const theirs = codec(other);
    await expect(mine.open(await theirs.seal('from the other side 🌍'))).resolves.toEqual({
      ok: true,
      plaintext: 'from the other side 🌍',
      stale: false,
    });
    await expect(theirs.open(await mine.seal('and back'))).resolves.toEqual({
      ok: true,
      plaintext: 'and back',
      stale: false,
    });
    await mine.seal('');
    expect(mine.currentKid).toBe(theirs.currentKid);
  });

  describe('rotation', () => {
    it('opens tokens from an older secret and flags them stale', async () => {
      const token = await codec(backend, [OLD_SECRET]).seal('old');
      await expect(codec(backend, [SECRET, OLD_SECRET]).open(token)).resolves.toEqual({
        ok: true,
        plaintext: 'old',
        stale: true,
      });
    });

    it('seals with secrets[0], so fresh tokens are not stale', async () => {
      const rotated = codec(backend, [SECRET, OLD_SECRET]);
      const token = await rotated.seal('new');
      expect(token.split('.')[0]).toBe(
        Buffer.from(`{"alg":"dir","enc":"A256GCM","kid":"${kidOf(SECRET, 'session')}"}`).toString(
          'base64url',
        ),
      );
      await expect(rotated.open(token)).resolves.toEqual({ ok: true, plaintext: 'new', stale: false });
      await expect(codec(backend, [SECRET]).open(token)).resolves.toEqual({
        ok: true,
        plaintext: 'new',
        stale: false,
      });
    });

    it('reports unknown-key for tokens sealed with a secret it does not have', async () => {
      const token = await codec(backend, [SECRET, OLD_SECRET]).seal('secret stuff');
      await expect(codec(backend, [OTHER_SECRET]).open(token)).resolves.toEqual({
        ok: false,
        reason: 'unknown-key',
      });
      await expect(codec(backend, [OLD_SECRET]).open(token)).resolves.toEqual({
        ok: false,
        reason: 'unknown-key',
      });
    });

    it('tries every key sharing a kid', async () => {
      const [first, second] = collidingSecrets();
      const both = codec(backend, [first, second]);
      await expect(both.open(await codec(backend, [second]).seal('second'))).resolves.toEqual({
        ok: true,
        plaintext: 'second',
        stale: true,
      });
      await expect(both.open(await codec(backend, [first]).seal('first'))).resolves.toEqual({
        ok: true,
        plaintext: 'first',
        stale: false,
      });
      // Same kid, wrong key: authentication fails, which is 'invalid'.
      await expect(codec(backend, [second]).open(await codec(backend, [first]).seal('x'))).resolves.toEqual({
        ok: false,
        reason: 'invalid',
      });
    });

    it('ignores a repeated secret', async () => {
      const c = codec(backend, [SECRET, OLD_SECRET, SECRET]);
      await expect(c.open(await c.seal('dup'))).resolves.toEqual({
        ok: true,
        plaintext: 'dup',
        stale: false,
      });
    });
  });

  it("keys each cookie name separately: another salt's token is unknown-key (its kid differs)", async () => {
    const token = await codec(backend, [SECRET], 'session').seal('for "session" only');
    await expect(codec(backend, [SECRET], 'other-cookie').open(token)).resolves.toEqual({
      ok: false,
      reason: 'unknown-key',
    });
  });

  it('seals concurrently before keys are ready', async () => {
    const c = codec(backend, [SECRET, OLD_SECRET]);
    const tokens = await Promise.all(['a', 'b', 'c'].map((p) => c.seal(p)));
    const results = await Promise.all(tokens.map((t) => codec(backend, [OLD_SECRET, SECRET]).open(t)));
    expect(results.map((r) => r.ok && r.plaintext)).toEqual(['a', 'b', 'c']);
  });

  it('keeps IVs unique and correct across an IV-pool refill under concurrency', async () => {
    const c = codec(backend);
    const plaintexts = Array.from({ length: 1100 }, (_, i) => `message ${i}`);
    const tokens = await Promise.all(plaintexts.map((p) => c.seal(p)));
    expect(new Set(tokens.map((t) => t.split('.')[2])).size).toBe(tokens.length);
    const results = await Promise.all(tokens.map((t) => c.open(t)));
    expect(results.map((r) => r.ok && r.plaintext)).toEqual(plaintexts);
  });

  it('rejects a non-string plaintext with a TypeError', async () => {
    await expect(codec(backend).seal(42 as unknown as string)).rejects.toThrow(TypeError);
  });
});

describe('createJweCodec options', () => {
  it('throws a TypeError for an empty secrets list', () => {
    expect(() => createJweCodec({ secrets: [], salt: 'session' })).toThrow(TypeError);
  });

  it('throws a TypeError for malformed options, without echoing secrets', () => {
    const bad = [
      { secrets: 'not-an-array-secret-value' as unknown as string[], salt: 'session' },
      { secrets: ['ok-secret-value', 7 as unknown as string], salt: 'session' },
      { secrets: ['ok-secret-value'], salt: undefined as unknown as string },
      { secrets: ['ok-secret-value'], salt: 'session', backend: 'wasm' as 'web' },
    ];
    for (const options of bad) {
      expect(() => createJweCodec(options)).toThrow(TypeError);
      try {
        createJweCodec(options);
      } catch (err) {
        expect(String(err)).not.toMatch(/secret-value/);
      }
    }
  });

  it("throws a TypeError for backend 'node' where node:crypto is unavailable", () => {
    withoutNodeCrypto(() => {
      expect(() => createJweCodec({ secrets: [SECRET], salt: 'session', backend: 'node' })).toThrow(
        TypeError,
      );
    });
  });

  it("falls back to WebCrypto under 'auto' where node:crypto is unavailable", async () => {
    const fallback = withoutNodeCrypto(() => createJweCodec({ secrets: [SECRET], salt: 'session' }));
    // Web keys are derived asynchronously: currentKid is known once a call resolved.
    expect(() => fallback.currentKid).toThrow(/still being derived/);
    const token = await fallback.seal('edge');
    expect(fallback.currentKid).toBe(kidOf(SECRET, 'session'));
    await expect(codec('node').open(token)).resolves.toEqual({ ok: true, plaintext: 'edge', stale: false });
  });

  it("uses node:crypto under 'auto' when available (currentKid known synchronously)", () => {
    expect(createJweCodec({ secrets: [SECRET], salt: 'session' }).currentKid).toBe(kidOf(SECRET, 'session'));
  });
});
