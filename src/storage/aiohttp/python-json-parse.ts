import { defineOwn } from '../../own-property.ts';
import { decodePythonNumber } from './python-number.ts';
import { itemPath, memberPath, type PathKey, type PythonSpelling } from './spelling.ts';

/**
 * How deeply lists and dicts may nest in a record, counting the record's
 * own `{"created", "session"}` level. Python's `json.loads` gives up with a
 * `RecursionError` a little short of 1000 levels inside an aiohttp handler,
 * so nothing deeper can come from, or be read by, the Python app.
 */
export const PYTHON_MAX_DEPTH = 900;

/**
 * A JSON text parsed as Python's `json.loads` reads it (with its defaults),
 * into JavaScript values: {@link decodePythonNumber} for numbers, `NaN`,
 * `Infinity` and `-Infinity` accepted, the last of repeated keys winning.
 */
export interface ParsedPythonJson {
  value: unknown;
  /** Spellings the values cannot carry; paths from the text's root. */
  spelling: PythonSpelling;
}

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

// Thrown inside the parser only; parsePythonJson turns it into `undefined`.
class Malformed {}
const MALFORMED = new Malformed();

/**
 * Parses `text` exactly as Python's `json.loads` would; `undefined` where
 * Python would raise (malformed, an int longer than Python reads, nested
 * deeper than {@link PYTHON_MAX_DEPTH}). Never throws.
 */
export function parsePythonJson(text: string): ParsedPythonJson | undefined {
  const parser = new Parser(text);
  try {
    const value = parser.value('', 0);
    parser.skipSpace();
    if (parser.at !== text.length) return undefined;
    return { value, spelling: { numbers: parser.numbers, orders: parser.orders } };
  } catch (error) {
    if (error === MALFORMED) return undefined;
    throw error;
  }
}

class Parser {
  at = 0;
  readonly numbers = new Map<PathKey, { value: number | bigint; literal: string }>();
  readonly orders = new Map<PathKey, string[]>();

  constructor(readonly text: string) {}

  skipSpace(): void {
    const { text } = this;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      at++;
    }
    this.at = at;
  }

  value(path: PathKey, depth: number): unknown {
    this.skipSpace();
    const { text } = this;
    const c = text.charCodeAt(this.at);
    switch (c) {
      case 0x7b: // {
        return this.object(path, depth + 1);
      case 0x5b: // [
        return this.array(path, depth + 1);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.word('true', true);
      case 0x66: // f
        return this.word('false', false);
      case 0x6e: // n
        return this.word('null', null);
      case 0x4e: // N
        return this.word('NaN', Number.NaN);
      case 0x49: // I
        return this.word('Infinity', Number.POSITIVE_INFINITY);
      default:
        if (c === 0x2d && text.charCodeAt(this.at + 1) === 0x49) {
          return this.word('-Infinity', Number.NEGATIVE_INFINITY);
        }
        return this.number(path);
    }
  }

  word<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.at)) throw MALFORMED;
    this.at += word.length;
    return value;
  }

  // Python's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?,
  // an int unless it has a fraction or an exponent.
  number(path: PathKey): number | bigint {
    const { text } = this;
    const start = this.at;
    let at = start;
    const negative = text.charCodeAt(at) === 0x2d;
    if (negative) at++;
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
    this.at = at;
    const isFloat = at !== intEnd;
    const digits = intEnd - start - (negative ? 1 : 0);
    if (!isFloat && digits <= 15) {
      // The common case, without building the literal: a small int.
      let n = 0;
      for (let i = intEnd - digits; i < intEnd; i++) n = n * 10 + (text.charCodeAt(i) - 0x30);
      if (negative && n === 0) this.numbers.set(path, { value: 0, literal: '-0' });
      return negative ? 0 - n : n;
    }
    const literal = text.slice(start, at);
    const value = decodePythonNumber(literal, isFloat);
    if (value === undefined) throw MALFORMED;
    // Every float literal is kept (cheaper than checking whether it would be
    // spelled the same); ints have no other spelling.
    if (isFloat) this.numbers.set(path, { value, literal });
    return value;
  }

  string(): string {
    const { text } = this;
    let at = this.at + 1;
    let start = at;
    let out = '';
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x22) {
        this.at = at + 1;
        return out + text.slice(start, at);
      }
      // Also the end of the text (NaN): Python's strict mode refuses raw control characters.
      if (!(c >= 0x20)) throw MALFORMED;
      if (c !== 0x5c) {
        at++;
        continue;
      }
      out += text.slice(start, at);
      const marker = text.charCodeAt(at + 1);
      if (marker === 0x75) {
        const hex = text.slice(at + 2, at + 6);
        if (!HEX4.test(hex)) throw MALFORMED;
        out += String.fromCharCode(Number.parseInt(hex, 16));
        at += 6;
      } else {
        const char = ESCAPES[marker];
        if (char === undefined) throw MALFORMED;
        out += char;
        at += 2;
      }
      start = at;
    }
  }

  array(path: PathKey, depth: number): unknown[] {
    if (depth > PYTHON_MAX_DEPTH) throw MALFORMED;
    this.at++;
    const items: unknown[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.value(itemPath(path, items.length), depth));
      this.skipSpace();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x5d) return items;
      if (c !== 0x2c) throw MALFORMED;
    }
  }

  object(path: PathKey, depth: number): Record<string, unknown> {
    if (depth > PYTHON_MAX_DEPTH) throw MALFORMED;
    this.at++;
    const object: Record<string, unknown> = {};
    const order: string[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === 0x7d) {
      this.at++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.at) !== 0x22) throw MALFORMED;
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.at++) !== 0x3a) throw MALFORMED;
      const member = memberPath(path, key);
      // A repeated key: Python keeps the last value, at the first one's place.
      if (Object.hasOwn(object, key)) this.forget(member);
      else order.push(key);
      // Plain assignment is several times faster; only "__proto__" needs defining.
      if (key === '__proto__') defineOwn(object, key, this.value(member, depth));
      else object[key] = this.value(member, depth);
      this.skipSpace();
      const c = this.text.charCodeAt(this.at++);
      if (c === 0x7d) break;
      if (c !== 0x2c) throw MALFORMED;
    }
    // JavaScript enumerates integer-like keys first, and a key the app adds
    // later may be one: keep Python's order for the keys it wrote.
    this.orders.set(path, order);
    return object;
  }

  // What an overridden value recorded is no longer true of the data.
  forget(prefix: PathKey): void {
    for (const map of [this.numbers, this.orders]) {
      for (const path of map.keys()) if (path.startsWith(prefix)) map.delete(path);
    }
  }
}
