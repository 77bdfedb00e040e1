// The Fernet codec against Python's cryptography (Debian's python3-cryptography):
// tokens go both ways, on the node:crypto and the WebCrypto backends.

import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePython, fernetKey, PYTHON, python } from '../../test/aiohttp/python.ts';
import { base64urlDecode, base64urlEncode } from './base64url.ts';
import { createFernetCodec, decodeFernetKey } from './fernet.ts';

const ENCRYPT = `
import sys, time
from cryptography.fernet import Fernet
f = Fernet(sys.argv[1].encode())
print(f.encrypt_at_time(sys.argv[2].encode(), int(sys.argv[3])).decode())
`;
const DECRYPT = `
import sys
from cryptography.fernet import Fernet, InvalidToken
try:
    print("ok:" + Fernet(sys.argv[1].encode()).decrypt(sys.argv[2].encode()).decode())
except InvalidToken:
    print("invalid")
`;

// Python's verdict on each token of stdin (one per line): "ok" or "invalid".
const VERDICTS = `
import sys
from cryptography.fernet import Fernet, InvalidToken
f = Fernet(sys.argv[1].encode())
for line in sys.stdin.read().split():
    try:
        f.decrypt(line.encode())
        print("ok")
    except InvalidToken:
        print("invalid")
`;
// Tokens Python writes for plaintexts of 0 to 47 bytes: every padding ("", "=", "==").
const MANY = `
import sys
from cryptography.fernet import Fernet
f = Fernet(sys.argv[1].encode())
for n in range(48):
    print(f.encrypt(b"x" * n).decode())
`;

const now = () => Math.floor(Date.now() / 1000);

beforeAll(() => ensurePython());

for (const backend of ['node', 'web'] as const) {
  describe(`fernet codec (${backend})`, () => {
    let key: string;
    let other: string;
    beforeAll(() => {
      key = fernetKey();
      other = fernetKey();
    });
    const codec = (...keys: string[]) =>
      createFernetCodec(
        keys.map((k) => decodeFernetKey(k) as Uint8Array),
        backend,
      );

    it('opens tokens Python wrote, and Python opens tokens it wrote (non-ASCII included)', async () => {
      const text = '{"created": 1, "session": {"a": "Zo\\u00eb"}} ✓';
      const fromPython = python(ENCRYPT, key, text, String(now()));
      const opened = await codec(key).decrypt(fromPython, 60, now());
      expect(opened).toEqual({ ok: true, plaintext: text, timestamp: expect.any(Number), stale: false });
      const ours = await codec(key).encrypt(text, now());
      expect(ours).toMatch(/^gAAAAA/);
      expect(python(DECRYPT, key, ours)).toBe(`ok:${text}`);
    });

    it('rotation: the first key encrypts, every key decrypts, an older key marks the value stale', async () => {
      const oldToken = await codec(other).encrypt('old', now());
      const rotated = codec(key, other);
      expect(await rotated.decrypt(oldToken, 60, now())).toMatchObject({
        ok: true,
        plaintext: 'old',
        stale: true,
      });
      const fresh = await rotated.encrypt('new', now());
      expect(python(DECRYPT, key, fresh)).toBe('ok:new');
      expect(python(DECRYPT, other, fresh)).toBe('invalid');
    });

    it('checks the timestamp as Python does: ttl, and at most 60 s in the future', async () => {
      const t = now();
      const token = python(ENCRYPT, key, 'x', String(t - 10));
      expect(await codec(key).decrypt(token, 10, t)).toMatchObject({ ok: true });
      expect(await codec(key).decrypt(token, 9, t)).toEqual({ ok: false, reason: 'expired' });
      expect(await codec(key).decrypt(token, undefined, t + 10_000)).toMatchObject({ ok: true });
      const future = python(ENCRYPT, key, 'x', String(t + 61));
      expect(await codec(key).decrypt(future, 600, t)).toEqual({ ok: false, reason: 'future' });
      const nearFuture = python(ENCRYPT, key, 'x', String(t + 60));
      expect(await codec(key).decrypt(nearFuture, 600, t)).toMatchObject({ ok: true });
    });

    it('refuses tokens whose "=" padding was stripped, as Python does; its own tokens need none', async () => {
      const tokens = python(MANY, key).split('\n');
      const padded = tokens.filter((t) => t.endsWith('='));
      expect(padded.some((t) => t.endsWith('=='))).toBe(true);
      const stripped = padded.flatMap((t) => [t.replace(/=+$/, ''), t.slice(0, -1)]);
      const all = [...tokens, ...stripped];
      const run = spawnSync(PYTHON, ['-c', VERDICTS, key], { input: all.join('\n'), encoding: 'utf8' });
      const verdicts = run.stdout.trim().split('\n');
      expect(verdicts).toHaveLength(all.length);
      for (const [i, token] of all.entries()) {
        const opened = await codec(key).decrypt(token, 60, now());
        expect(opened.ok ? 'ok' : 'invalid', token).toBe(verdicts[i]);
        expect(verdicts[i], token).toBe(i < tokens.length ? 'ok' : 'invalid');
      }
      // The kit's cookies pad their JSON so the token needs no "=" (see fernet-cookie.ts);
      // any token it writes has a length that is a multiple of 4, stripped of nothing.
      for (let n = 0; n < 48; n++) {
        const ours = await codec(key).encrypt('y'.repeat(n), now());
        expect(ours.length % 4).toBe(0);
      }
    });

    it('refuses foreign keys, tampering, truncation and junk', async () => {
      const token = await codec(key).encrypt('{"a": 1}', now());
      const bytes = base64urlDecode(token.replace(/=+$/, '')) as Uint8Array;
      const flip = (i: number) => {
        const copy = bytes.slice();
        copy[i] = (copy[i] as number) ^ 1;
        return base64urlEncode(copy);
      };
      const bad = [
        flip(0), // version
        flip(3), // timestamp
        flip(12), // IV
        flip(30), // ciphertext
        flip(bytes.length - 1), // MAC
        token.slice(0, -8),
        '',
        'gAAAAA',
        'not a token',
        `${token}x`,
      ];
      for (const value of bad) {
        expect(await codec(key).decrypt(value, 60, now()), value).toEqual({ ok: false, reason: 'invalid' });
      }
      expect(await codec(other).decrypt(token, 60, now())).toEqual({ ok: false, reason: 'invalid' });
    });
  });
}

describe('decodeFernetKey', () => {
  it('accepts exactly what Fernet.generate_key() prints', () => {
    const key = fernetKey();
    expect(decodeFernetKey(key)?.length).toBe(32);
    expect(decodeFernetKey(key.slice(0, 43))?.length).toBe(32);
    for (const bad of [key.slice(1), `${key}=`, `+${key.slice(1)}`, 'x'.repeat(32), ' '.repeat(44)]) {
      expect(decodeFernetKey(bad), bad).toBeUndefined();
    }
  });
});
