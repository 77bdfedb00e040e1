import { defineOwn } from '../../own-property.ts';
import { type Cursor, MALFORMED, readNumber, readString, readWord, skipSpace } from './python-json-tokens.ts';
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

/**
 * Parses `text` exactly as Python's `json.loads` would; `undefined` where
 * Python would raise (malformed, an int longer than Python reads, nested
 * deeper than {@link PYTHON_MAX_DEPTH}). Never throws.
 */
export function parsePythonJson(text: string): ParsedPythonJson | undefined {
  const cursor: Cursor = { text, at: 0, numbers: new Map(), orders: new Map() };
  try {
    const value = readValue(cursor, '', 0);
    skipSpace(cursor);
    if (cursor.at !== text.length) return undefined;
    return { value, spelling: { numbers: cursor.numbers, orders: cursor.orders } };
  } catch (error) {
    if (error === MALFORMED) return undefined;
    throw error;
  }
}

function readValue(cursor: Cursor, path: PathKey, depth: number): unknown {
  skipSpace(cursor);
  const { text } = cursor;
  const c = text.charCodeAt(cursor.at);
  switch (c) {
    case 0x7b: // {
      return readObject(cursor, path, depth + 1);
    case 0x5b: // [
      return readArray(cursor, path, depth + 1);
    case 0x22: // "
      return readString(cursor);
    case 0x74: // t
      return readWord(cursor, 'true', true);
    case 0x66: // f
      return readWord(cursor, 'false', false);
    case 0x6e: // n
      return readWord(cursor, 'null', null);
    case 0x4e: // N
      return readWord(cursor, 'NaN', Number.NaN);
    case 0x49: // I
      return readWord(cursor, 'Infinity', Number.POSITIVE_INFINITY);
    default:
      if (c === 0x2d && text.charCodeAt(cursor.at + 1) === 0x49) {
        return readWord(cursor, '-Infinity', Number.NEGATIVE_INFINITY);
      }
      return readNumber(cursor, path);
  }
}

// After an item or a member: the closing bracket (true) or a comma (false).
function readClose(cursor: Cursor, close: number): boolean {
  skipSpace(cursor);
  const c = cursor.text.charCodeAt(cursor.at++);
  if (c === close) return true;
  if (c !== 0x2c) throw MALFORMED;
  return false;
}

// The opening bracket: false when the container is empty (and read).
function readOpen(cursor: Cursor, close: number, depth: number): boolean {
  if (depth > PYTHON_MAX_DEPTH) throw MALFORMED;
  cursor.at++;
  skipSpace(cursor);
  if (cursor.text.charCodeAt(cursor.at) !== close) return true;
  cursor.at++;
  return false;
}

function readArray(cursor: Cursor, path: PathKey, depth: number): unknown[] {
  const items: unknown[] = [];
  if (!readOpen(cursor, 0x5d, depth)) return items;
  do items.push(readValue(cursor, itemPath(path, items.length), depth));
  while (!readClose(cursor, 0x5d));
  return items;
}

function readObject(cursor: Cursor, path: PathKey, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  if (!readOpen(cursor, 0x7d, depth)) return object;
  const order: string[] = [];
  do {
    skipSpace(cursor);
    if (cursor.text.charCodeAt(cursor.at) !== 0x22) throw MALFORMED;
    const key = readString(cursor);
    skipSpace(cursor);
    if (cursor.text.charCodeAt(cursor.at++) !== 0x3a) throw MALFORMED;
    const member = memberPath(path, key);
    // A repeated key: Python keeps the last value, at the first one's place.
    if (Object.hasOwn(object, key)) forget(cursor, member);
    else order.push(key);
    // Plain assignment is several times faster; only "__proto__" needs defining.
    if (key === '__proto__') defineOwn(object, key, readValue(cursor, member, depth));
    else object[key] = readValue(cursor, member, depth);
  } while (!readClose(cursor, 0x7d));
  // JavaScript enumerates integer-like keys first, and a key the app adds
  // later may be one: keep Python's order for the keys it wrote.
  cursor.orders.set(path, order);
  return object;
}

// What an overridden value recorded is no longer true of the data.
function forget(cursor: Cursor, prefix: PathKey): void {
  for (const map of [cursor.numbers, cursor.orders]) {
    for (const path of map.keys()) if (path.startsWith(prefix)) map.delete(path);
  }
}
