import type { SessionData } from '../../types.ts';

// Python's json.dumps defaults: ", " and ": " separators, ensure_ascii (every
// character outside space..~ as \uXXXX, astral ones as surrogate pairs), and
// floats in repr() notation. Writing the same bytes keeps records written by
// the kit indistinguishable from records written by aiohttp-session.

const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: '\\\\',
  10: '\\n',
  13: '\\r',
  9: '\\t',
  8: '\\b',
  12: '\\f',
};

function pythonString(text: string): string {
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

// repr(float): the shortest round-trip digits, in fixed notation for decimal
// exponents from -4 to 15 and scientific (e+XX / e-XX) otherwise.
function pythonFloat(value: number): string {
  const [mantissa = '0', exp = '0'] = value.toExponential().split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

function pythonNumber(value: number): string {
  if (!Number.isFinite(value)) return 'null'; // what JSON.stringify writes
  // A safe integer is written as a Python int (JSON cannot say whether 1.0
  // was a float once JavaScript has parsed it); anything larger is a float.
  if (Number.isSafeInteger(value)) return String(value);
  return pythonFloat(value);
}

function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonString(value);
    case 'number':
      return pythonNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      break;
  }
  if (Array.isArray(value)) return `[${value.map(encode).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${encode(v)}`).join(', ')}}`;
}

/**
 * Serialises a JSON value exactly as Python's `json.dumps(value)` does with
 * its defaults. The value is first normalised as `JSON.stringify` would
 * (`toJSON`, dropped `undefined` and functions), so the kit's JSON semantics
 * are unchanged; only the spelling follows Python.
 *
 * @example
 * ```ts
 * pythonJsonDumps({ user: 'Zoë', n: 1.5 }); // '{"user": "Zo\\u00eb", "n": 1.5}'
 * ```
 */
export function pythonJsonDumps(value: unknown): string {
  const json = JSON.stringify(value);
  if (json === undefined) return 'null';
  return encode(JSON.parse(json));
}

/**
 * The record aiohttp-session keeps for a session: `{"created": <int>,
 * "session": {...}}`, or `{}` for an empty one, spelled as Python writes it.
 *
 * @example
 * ```ts
 * aiohttpRecord(1700000000, { a: 1 }); // '{"created": 1700000000, "session": {"a": 1}}'
 * ```
 */
export function aiohttpRecord(createdSeconds: number, data: SessionData): string {
  if (Object.keys(data).length === 0) return '{}';
  return `{"created": ${Math.floor(createdSeconds)}, "session": ${pythonJsonDumps(data)}}`;
}

/**
 * Parses an aiohttp-session record. `empty` for `{}` (aiohttp-session's
 * mark of a logged-out session), `undefined` for anything not of the
 * expected shape.
 *
 * @example
 * ```ts
 * parseAiohttpRecord('{"created": 1700000000, "session": {"a": 1}}'); // { created: 1700000000, data: { a: 1 } }
 * ```
 */
export function parseAiohttpRecord(
  text: string,
): { created: number; data: SessionData } | 'empty' | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const record = parsed as Record<string, unknown>;
  if (Object.keys(record).length === 0) return 'empty';
  const { created, session } = record;
  // aiohttp-session treats a missing or zero `created` as infinitely old.
  const createdSeconds = typeof created === 'number' && Number.isFinite(created) ? created : 0;
  if (session === undefined || session === null) return { created: createdSeconds, data: {} };
  if (typeof session !== 'object' || Array.isArray(session)) return undefined;
  return { created: createdSeconds, data: session as SessionData };
}
