import { SessionUnsupportedError } from '../../errors.ts';
import { printable } from '../../printable.ts';
import type { SessionData } from '../../types.ts';
import { PYTHON_MAX_DEPTH, parsePythonJson } from './python-json-parse.ts';
import { PYTHON_MAX_INT_DIGITS, pythonNumber } from './python-number.ts';
import { itemPath, memberPath, NO_SPELLING, type PathKey, type PythonSpelling } from './spelling.ts';

// Python's json.dumps defaults: ", " and ": " separators, ensure_ascii (every
// character outside space..~ as \uXXXX, astral ones as surrogate pairs), and
// numbers as python-number.ts spells them. Writing the same bytes keeps
// records written by the kit indistinguishable from records written by
// aiohttp-session.

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  8: '\\b',
  12: '\\f',
};

const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function pythonString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x20 && code <= 0x7e && code !== 0x22 && code !== 0x5c) continue;
    out += text.slice(start, i);
    out += SHORT_ESCAPES[code] ?? `\\u${code.toString(16).padStart(4, '0')}`;
    start = i + 1;
  }
  return `${out + text.slice(start)}"`;
}

// One walk over the data, with JSON.stringify's rules for what a value
// becomes (toJSON, wrapper objects unwrapped, undefined / functions / symbols
// dropped from objects and null in arrays) except for numbers, which follow
// Python: a bigint is an int, NaN and the infinities are kept.
class Encoder {
  readonly #spelling: PythonSpelling;
  readonly #open = new Set<object>();

  constructor(spelling: PythonSpelling) {
    this.#spelling = spelling;
  }

  encode(key: string, input: unknown, path: PathKey, depth: number): string | undefined {
    let value = input;
    // Never a bigint's toJSON (a common polyfill returns a string): an int stays an int.
    if (typeof value === 'object' && value !== null && !(value instanceof BigInt)) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') value = toJSON.call(value, key);
    }
    if (value instanceof Number) value = Number(value);
    else if (value instanceof String) value = String(value);
    else if (value instanceof Boolean || value instanceof BigInt) value = value.valueOf();
    switch (typeof value) {
      case 'string':
        return pythonString(value);
      case 'boolean':
        return value ? 'true' : 'false';
      case 'number':
      case 'bigint':
        return this.#number(value, path);
      case 'object':
        if (value === null) return 'null';
        return this.#container(value, path, depth + 1);
      default:
        return undefined;
    }
  }

  #number(value: number | bigint, path: PathKey): string {
    // Unchanged at the same place: spelled as Python spelled it (1.0 stays a float).
    const original = this.#spelling.numbers.get(path);
    if (original !== undefined && Object.is(original.value, value)) return original.literal;
    const text = pythonNumber(value);
    if (typeof value === 'bigint' && text.replace('-', '').length > PYTHON_MAX_INT_DIGITS) {
      throw unsupported(
        path,
        `an int of more than ${PYTHON_MAX_INT_DIGITS} digits, which Python's json.loads refuses to read ` +
          '(its int_max_str_digits limit)',
      );
    }
    return text;
  }

  #container(value: object, path: PathKey, depth: number): string {
    if (depth > PYTHON_MAX_DEPTH) {
      throw unsupported(
        path,
        `nested deeper than ${PYTHON_MAX_DEPTH} levels (counting the record's own two), which Python's ` +
          'json.loads cannot read (RecursionError)',
      );
    }
    if (this.#open.has(value)) {
      throw new TypeError(
        `Session data at ${describePath(path)} contains itself (a circular structure); JSON cannot hold it.`,
      );
    }
    this.#open.add(value);
    try {
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          items.push(this.encode(String(i), value[i], itemPath(path, i), depth) ?? 'null');
        }
        return `[${items.join(', ')}]`;
      }
      return `{${this.#members(value as Record<string, unknown>, path, depth).join(', ')}}`;
    } finally {
      this.#open.delete(value);
    }
  }

  #members(object: Record<string, unknown>, path: PathKey, depth: number): string[] {
    let keys = Object.keys(object);
    const order = this.#spelling.orders.get(path);
    if (order !== undefined && !sameKeys(order, keys)) {
      // Python's order for the keys it wrote (JavaScript lists integer-like keys first).
      const present = new Set(keys);
      const first = order.filter((key) => present.has(key));
      const known = new Set(first);
      keys = [...first, ...keys.filter((key) => !known.has(key))];
    }
    const members: string[] = [];
    for (const key of keys) {
      const text = this.encode(key, object[key], memberPath(path, key), depth);
      if (text !== undefined) members.push(`${pythonString(key)}: ${text}`);
    }
    return members;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function unsupported(path: PathKey, what: string): SessionUnsupportedError {
  return new SessionUnsupportedError(
    `The session value at ${describePath(path)} is ${what}, so the aiohttp-session format cannot ` +
      'store it for the Python app. Store it another way (a string, or less nesting).',
  );
}

// Key names only, shortened and printable: never a value.
function describePath(path: PathKey): string {
  const steps: string[] = [];
  let at = 0;
  while (at < path.length) {
    if (path[at] === 'i') {
      const end = path.indexOf(';', at);
      steps.push(`[${path.slice(at + 1, end)}]`);
      at = end + 1;
    } else {
      const colon = path.indexOf(':', at);
      const length = Number(path.slice(at + 1, colon));
      const key = path.slice(colon + 1, colon + 1 + length);
      steps.push(`${steps.length === 0 ? '' : '.'}${printable(key)}`);
      at = colon + 1 + length;
    }
  }
  if (steps.length === 0) return 'the top level';
  const shown = steps.length > 8 ? [...steps.slice(0, 4), '…', ...steps.slice(-3)] : steps;
  return `"${shown.join('')}"`;
}

/**
 * Serialises a value exactly as Python's `json.dumps` writes the Python value
 * it stands for (see `pythonNumber` for numbers). Objects follow
 * `JSON.stringify` (`toJSON`, dropped `undefined` and functions); numbers
 * follow Python (a bigint is an int; `NaN`, `Infinity`, `-0.0` are kept).
 * With the `spelling` of the record the data came from, every number still
 * at its place with its value is written as Python wrote it, and objects
 * keep Python's key order. Throws `SessionUnsupportedError` for what Python
 * cannot read back.
 */
export function pythonJsonDumps(value: unknown, spelling: PythonSpelling = NO_SPELLING): string {
  return new Encoder(spelling).encode('', value, '', 0) ?? 'null';
}

/**
 * The record aiohttp-session keeps for a session: `{"created": <int>,
 * "session": {...}}`, or `{}` for an empty one, spelled as Python writes it;
 * `spelling` is what {@link parseAiohttpRecord} found in the record the data
 * was loaded from.
 */
export function aiohttpRecord(
  createdSeconds: number,
  data: SessionData,
  spelling: PythonSpelling = NO_SPELLING,
): string {
  if (Object.keys(data).length === 0) return '{}';
  // Depth 1 is the record's own {"created", "session"}.
  const session = new Encoder(spelling).encode('', data, '', 1) ?? '{}';
  return `{"created": ${Math.floor(createdSeconds)}, "session": ${session}}`;
}

const SESSION_PATH = memberPath('', 'session');

/**
 * Parses an aiohttp-session record as Python's `json.loads` reads it (see
 * `parsePythonJson`: ints beyond 2^53 as `bigint`, `NaN`, `Infinity`).
 * `empty` for `{}` (aiohttp-session's mark of a logged-out session),
 * `undefined` for anything not of the expected shape. `spelling` remembers
 * what the values cannot say, for {@link aiohttpRecord}.
 */
export function parseAiohttpRecord(
  text: string,
): { created: number; data: SessionData; spelling: PythonSpelling } | 'empty' | undefined {
  const parsed = parsePythonJson(text);
  if (parsed === undefined) return undefined;
  const { value } = parsed;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).length === 0) return 'empty';
  const { created, session } = record;
  // aiohttp-session treats a missing or zero `created` as infinitely old.
  const createdSeconds = typeof created === 'number' && Number.isFinite(created) ? created : 0;
  if (session === undefined || session === null) {
    return { created: createdSeconds, data: {}, spelling: NO_SPELLING };
  }
  if (typeof session !== 'object' || Array.isArray(session)) return undefined;
  return {
    created: createdSeconds,
    data: session as SessionData,
    spelling: underPath(parsed.spelling, SESSION_PATH),
  };
}

// The part of a spelling below `prefix`, with paths made relative to it.
function underPath(spelling: PythonSpelling, prefix: PathKey): PythonSpelling {
  const rebase = <V>(map: ReadonlyMap<PathKey, V>) => {
    const out = new Map<PathKey, V>();
    for (const [path, entry] of map) if (path.startsWith(prefix)) out.set(path.slice(prefix.length), entry);
    return out;
  };
  return { numbers: rebase(spelling.numbers), orders: rebase(spelling.orders) };
}
