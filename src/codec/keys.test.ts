import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createJweCodec } from './jwe.ts';
import { deriveCookieKey, deriveKeyWeb, kidWeb } from './keys.ts';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function expectedKey(secret: string, salt: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, salt, 'next-session-kit', 32));
}

function expectedKid(key: Uint8Array): string {
  return createHash('sha256').update(key).digest().subarray(0, 3).toString('base64url');
}

// RFC 5869 spelled out with HMAC, independent of any HKDF implementation.
function hkdfByHand(secret: string, salt: string): Uint8Array {
  const prk = createHmac('sha256', Buffer.from(salt, 'utf8')).update(Buffer.from(secret, 'utf8')).digest();
  return new Uint8Array(createHmac('sha256', prk).update('next-session-kit').update(Buffer.of(1)).digest());
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

describe('key schedule', () => {
  it('matches pinned known-answer vectors (the wire format must never change)', async () => {
    const ascii = await deriveCookieKey('correct horse battery staple', 'session');
    expect(hex(ascii)).toBe('d159c66b85c6737b6ae26333bb27019db2201265172084fa70e95f0ac9b6fcf6');
    expect(expectedKid(ascii)).toBe('J50B');
    const unicode = await deriveCookieKey('pässwörd-🔑', 'sess-ü');
    expect(hex(unicode)).toBe('f73c904b9866b799675db939db408e6835a92a0fb31705cf9372aac5f97220e1');
    expect(expectedKid(unicode)).toBe('opbt');
  });

  it.each([
    ['correct horse battery staple', 'session'],
    ['pässwörd-🔑', 'sess-ü'],
    ['x'.repeat(200), '__Host-session'],
    ['', ''],
  ])('deriveCookieKey(%j, %j) is HKDF-SHA256 with info "next-session-kit"', async (secret, salt) => {
    const key = await deriveCookieKey(secret, salt);
    expect(key).toBeInstanceOf(Uint8Array);
    expect(key.length).toBe(32);
    expect(hex(key)).toBe(hex(expectedKey(secret, salt)));
    expect(hex(key)).toBe(hex(hkdfByHand(secret, salt)));
  });

  it('derives the same key through WebCrypto', async () => {
    const secret = 'pässwörd-🔑';
    expect(hex(await deriveKeyWeb(crypto.subtle, secret, 'session'))).toBe(
      hex(expectedKey(secret, 'session')),
    );
    const fallback = withoutNodeCrypto(() => deriveCookieKey(secret, 'session'));
    expect(hex(await fallback)).toBe(hex(expectedKey(secret, 'session')));
  });

  it('gives each cookie name (salt) its own key', async () => {
    const a = await deriveCookieKey('same secret', 'session');
    const b = await deriveCookieKey('same secret', 'session.sig');
    expect(hex(a)).not.toBe(hex(b));
  });

  it('computes kid as base64url of the first 3 bytes of SHA-256(key)', async () => {
    const key = expectedKey('correct horse battery staple', 'session');
    expect(await kidWeb(crypto.subtle, new Uint8Array(key))).toBe('J50B');
    expect(expectedKid(key)).toMatch(/^[A-Za-z0-9_-]{4}$/);
  });

  it.each(['node', 'web'] as const)('exposes that kid as currentKid (%s backend)', async (backend) => {
    const codec = createJweCodec({
      secrets: ['correct horse battery staple', 'older'],
      salt: 'session',
      backend,
    });
    await codec.seal('warm-up'); // the web backend derives keys asynchronously
    expect(codec.currentKid).toBe('J50B');
  });
});
