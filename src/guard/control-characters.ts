/**
 * Characters that have no business in a URL path and that pattern matchers
 * (a regex `.`, `^`/`$` with the `m` flag, `\s`) treat specially or that are
 * invisible, so a path holding one is protected whatever a pattern or a
 * predicate says (the guard fails closed):
 *
 * - Unicode `Cc`: C0 (U+0000–U+001F), DEL (U+007F) and C1 (U+0080–U+009F),
 *   which include every line terminator but two;
 * - Unicode `Zl` and `Zp`: U+2028 LINE SEPARATOR and U+2029 PARAGRAPH
 *   SEPARATOR, the other two line terminators of JavaScript regexes;
 * - Unicode `Cf` (invisible format characters: bidi overrides and isolates,
 *   zero-width space, BOM, soft hyphen, …), except U+200C ZERO WIDTH
 *   NON-JOINER and U+200D ZERO WIDTH JOINER, and the tag characters
 *   U+E0020–U+E007F: those are part of ordinary words (Persian, Indic
 *   scripts) and emoji (family sequences, subdivision flags).
 */
export function hasControlCharacter(text: string): boolean {
  return CONTROL.test(text);
}

// Without the `g` flag, `test` keeps no state between calls.
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]|(?!\u200C|\u200D|[\u{E0020}-\u{E007F}])\p{Cf}/u;
