import { decodePythonNumber } from './python-number.ts';
import type { PathKey } from './spelling.ts';

/**
 * Where {@link parsePythonJson} stands in its text, and the spellings it has
 * recorded so far; the token readers below move `at` past what they read.
 */
export interface Cursor {
  readonly text: string;
  at: number;
  readonly numbers: Map<PathKey, { value: number | bigint; literal: string }>;
  readonly orders: Map<PathKey, string[]>;
}

// Thrown by the readers only; parsePythonJson turns it into `undefined`.
class Malformed {}
export const MALFORMED = new Malformed();

const HEX4 = /^[0-9a-fA-F]{4}$/;
const ESCAPES: Record<number, string> = {
  34: '"',
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

function digitsEnd(text: string, from: number): number {
  let at = from;
  while (isDigit(text.charCodeAt(at))) at++;
  return at;
}

export function skipSpace(cursor: Cursor): void {
  const { text } = cursor;
  let at = cursor.at;
  for (;;) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    at++;
  }
  cursor.at = at;
}

/** `true`, `false`, `null`, `NaN`, `Infinity`, `-Infinity`. */
export function readWord<T>(cursor: Cursor, word: string, value: T): T {
  if (!cursor.text.startsWith(word, cursor.at)) throw MALFORMED;
  cursor.at += word.length;
  return value;
}

// Python's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?;
// returns where the int part and the whole literal end.
function numberEnds(text: string, start: number): { intEnd: number; end: number } {
  let at = start;
  if (text.charCodeAt(at) === 0x2d) at++;
  const first = text.charCodeAt(at);
  if (first === 0x30) at++;
  else if (first >= 0x31 && first <= 0x39) at = digitsEnd(text, at);
  else throw MALFORMED;
  const intEnd = at;
  if (text.charCodeAt(at) === 0x2e && isDigit(text.charCodeAt(at + 1))) at = digitsEnd(text, at + 1);
  const e = text.charCodeAt(at);
  if (e === 0x65 || e === 0x45) {
    const sign = text.charCodeAt(at + 1);
    const digits = sign === 0x2b || sign === 0x2d ? at + 2 : at + 1;
    if (isDigit(text.charCodeAt(digits))) at = digitsEnd(text, digits);
  }
  return { intEnd, end: at };
}

/** A number: an int unless it has a fraction or an exponent. */
export function readNumber(cursor: Cursor, path: PathKey): number | bigint {
  const { text } = cursor;
  const start = cursor.at;
  const negative = text.charCodeAt(start) === 0x2d;
  const { intEnd, end } = numberEnds(text, start);
  cursor.at = end;
  const isFloat = end !== intEnd;
  const digits = intEnd - start - (negative ? 1 : 0);
  if (!isFloat && digits <= 15) {
    // The common case, without building the literal: a small int.
    let n = 0;
    for (let i = intEnd - digits; i < intEnd; i++) n = n * 10 + (text.charCodeAt(i) - 0x30);
    if (negative && n === 0) cursor.numbers.set(path, { value: 0, literal: '-0' });
    return negative ? 0 - n : n;
  }
  const literal = text.slice(start, end);
  const value = decodePythonNumber(literal, isFloat);
  if (value === undefined) throw MALFORMED;
  // Every float literal is kept (cheaper than checking whether it would be
  // spelled the same); ints have no other spelling.
  if (isFloat) cursor.numbers.set(path, { value, literal });
  return value;
}

// One escape sequence at `at` (the backslash): what it stands for and its length.
function readEscape(text: string, at: number): [char: string, length: number] {
  const marker = text.charCodeAt(at + 1);
  if (marker === 0x75) {
    const hex = text.slice(at + 2, at + 6);
    if (!HEX4.test(hex)) throw MALFORMED;
    return [String.fromCharCode(Number.parseInt(hex, 16)), 6];
  }
  const char = ESCAPES[marker];
  if (char === undefined) throw MALFORMED;
  return [char, 2];
}

/** A string, the cursor on its opening quote. */
export function readString(cursor: Cursor): string {
  const { text } = cursor;
  let at = cursor.at + 1;
  let start = at;
  let out = '';
  for (;;) {
    const c = text.charCodeAt(at);
    if (c === 0x22) {
      cursor.at = at + 1;
      return out + text.slice(start, at);
    }
    // Also the end of the text (NaN): Python's strict mode refuses raw control characters.
    if (!(c >= 0x20)) throw MALFORMED;
    if (c !== 0x5c) {
      at++;
      continue;
    }
    const [char, length] = readEscape(text, at);
    out += text.slice(start, at) + char;
    at += length;
    start = at;
  }
}
