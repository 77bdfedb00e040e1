import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64urlDecode, base64urlEncode, base64urlEncodeText, isBase64url } from './base64url.ts';

describe('base64url', () => {
  it('round-trips every length against Buffer', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const text = base64urlEncode(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(isBase64url(text)).toBe(true);
      expect(base64urlDecode(text)).toEqual(bytes);
    }
  });

  it('encodes UTF-8 text', () => {
    expect(base64urlEncodeText('{"a":1}')).toBe('eyJhIjoxfQ');
    expect(base64urlEncodeText('é😀')).toBe(Buffer.from('é😀').toString('base64url'));
  });

  it.each([
    ['padding', 'AA=='],
    ['standard alphabet +', 'a+b'],
    ['standard alphabet /', 'a/bc'],
    ['impossible length', 'AAAAA'],
    ['stray bits, 2 chars', '__9'.slice(1)],
    ['stray bits, 3 chars', '__9'],
    ['whitespace', 'AA AA'],
    ['newline', 'AAAA\n'],
    ['dot', 'AA.A'],
    ['non-ASCII', 'AAé'],
    ['full-width letter', 'ＡＡＡＡ'],
  ])('rejects %s', (_name, text) => {
    expect(isBase64url(text)).toBe(false);
    expect(base64urlDecode(text)).toBeUndefined();
  });

  it('accepts the empty string', () => {
    expect(isBase64url('')).toBe(true);
    expect(base64urlDecode('')).toEqual(new Uint8Array(0));
  });
});
