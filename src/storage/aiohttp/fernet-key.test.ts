// A Fernet key is two 128-bit keys (signing, encryption) that should be 32
// random bytes: a key whose raw bytes plainly are not is refused at creation.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionConfigError } from '../../errors.ts';
import { fernetCookieStorage } from './fernet-cookie.ts';

const fernet = (bytes: Uint8Array) => `${Buffer.from(bytes).toString('base64url')}=`;
const KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';

describe('fernetCookieStorage key strength', () => {
  const half = randomBytes(16);
  it.each([
    ['32 identical bytes', fernet(new Uint8Array(32).fill(0x41))],
    ['32 zero bytes', fernet(new Uint8Array(32))],
    ['counting bytes', fernet(Uint8Array.from({ length: 32 }, (_, i) => i))],
    ['a zero signing half', fernet(Buffer.concat([new Uint8Array(16), half]))],
    ['a constant encryption half', fernet(Buffer.concat([half, new Uint8Array(16).fill(7)]))],
    ['the same half twice', fernet(Buffer.concat([half, half]))],
  ])('refuses a key of %s, saying how to make one, without echoing it', (_name, key) => {
    for (const option of [key, [KEY, key]]) {
      const make = () => fernetCookieStorage({ key: option });
      expect(make).toThrow(SessionConfigError);
      expect(make).toThrow(/too weak.*Fernet\.generate_key\(\)/);
      try {
        make();
      } catch (error) {
        expect((error as Error).message).not.toContain(key.slice(0, 12));
        if (Array.isArray(option)) expect((error as Error).message).toMatch(/^`key\[1\]`/);
      }
    }
  });

  it('accepts random keys, as Fernet.generate_key() makes them', () => {
    for (let i = 0; i < 2_000; i++) {
      expect(() => fernetCookieStorage({ key: fernet(randomBytes(32)) })).not.toThrow();
    }
  });
});
