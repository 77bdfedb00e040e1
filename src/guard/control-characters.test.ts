import { describe, expect, it } from 'vitest';
import { hasControlCharacter } from './control-characters.ts';

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCodePoint(from + i));

describe('hasControlCharacter', () => {
  it('finds every C0 and C1 control, DEL, and both Unicode line terminators', () => {
    for (const char of [...range(0, 0x1f), ...range(0x7f, 0x9f), '\u2028', '\u2029']) {
      expect(hasControlCharacter(`/a/${char}`), `U+${char.codePointAt(0)?.toString(16)}`).toBe(true);
    }
  });

  it('finds invisible format characters: bidi controls, zero-width space, BOM, soft hyphen', () => {
    for (const char of [
      '\u202e',
      '\u2066',
      '\u2069',
      '\u200e',
      '\u061c',
      '\u200b',
      '\u2060',
      '\ufeff',
      '\u00ad',
    ]) {
      expect(hasControlCharacter(`x${char}y`)).toBe(true);
    }
  });

  it('leaves printable ASCII, spaces and the joiners of ordinary words and emoji alone', () => {
    expect(hasControlCharacter(range(0x20, 0x7e).join(''))).toBe(false);
    for (const text of ['café', 'می‌خواهم', '👨‍👩‍👧', '🏴󠁧󠁢󠁳󠁣󠁴󠁿', '\u00a0', '\u3000', '😀']) {
      expect(hasControlCharacter(text), text).toBe(false);
    }
  });
});
