import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { base64urlDecode } from '../../codec/base64url.ts';
import { createToken, isWellFormedToken, sha256Base64url } from './token.ts';

describe('store tokens', () => {
  afterEach(() => vi.restoreAllMocks());

  it('draws 256 bits from the CSPRNG for every token', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    const token = createToken();
    expect(spy).toHaveBeenCalledTimes(1);
    const filled = spy.mock.calls[0]?.[0] as Uint8Array;
    expect(filled).toBeInstanceOf(Uint8Array);
    expect(filled.byteLength).toBe(32);
    expect(base64urlDecode(token)).toEqual(filled);
  });

  it('never repeats and always has the shape the loader accepts', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const token = createToken();
      expect(isWellFormedToken(token)).toBe(true);
      expect(base64urlDecode(token)?.byteLength).toBe(32);
      seen.add(token);
    }
    expect(seen.size).toBe(10_000);
  });

  it('rejects anything else before a store is asked', () => {
    const token = createToken();
    for (const bad of [
      '',
      token.slice(1),
      `${token}A`,
      `${token.slice(1)}=`,
      `${token.slice(1)}+`,
      '../'.repeat(15),
    ]) {
      expect(isWellFormedToken(bad)).toBe(false);
    }
  });

  it('stores only the SHA-256 of the token', async () => {
    const token = createToken();
    const key = await sha256Base64url(token);
    expect(key).toBe(createHash('sha256').update(token).digest('base64url'));
    expect(key).not.toContain(token);
  });
});
