// The serializer and the parser against Python's own json module (Debian's python3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsOf, type PyModel, typed } from '../../../test/aiohttp/py-model.ts';
import { ensurePython, PythonJson, python, pythonDumps, pythonRedump } from '../../../test/aiohttp/python.ts';
import { SessionUnsupportedError } from '../../errors.ts';
import { aiohttpRecord, parseAiohttpRecord, pythonJsonDumps } from './python-json.ts';
import { parsePythonJson } from './python-json-parse.ts';
import { unquoteCookieValue } from './quote.ts';

beforeAll(() => ensurePython());

const CORPUS: unknown[] = [
  {},
  [],
  { a: 1, b: 'two', c: null, d: true, e: false, f: [], g: {} },
  { text: 'Zoë ✓ 😀 日本語 ключ \u2028\u2029 \ufeff' },
  { controls: '"\\/\b\f\n\r\t\u0000\u0001\u001f\u007f\u0080' },
  { lone: '\ud800 and \udfff' },
  { '': 'empty key', ünï: { 'nested "key"': [1, [2, [3]]] } },
  {
    floats: [0.1, 1.5, -0.5, 1e-7, 1e-5, 1e-4, 0.001, 123456.789, 1e15 + 0.5, 1e16, 1.5e300, 5e-324],
    more: [1.7976931348623157e308, -2.5e-5, 2 ** 53 + 2, 1e21, 0.1 + 0.2, 100.25, -1e-10],
  },
  { ints: [0, -1, 42, 2 ** 53 - 1, -(2 ** 53 - 1), 1700000000] },
  { order: { b: 1, a: 2, z: 3 } },
];

describe('pythonJsonDumps', () => {
  it('writes exactly what json.dumps writes', () => {
    const ours = CORPUS.map((value) => pythonJsonDumps(value));
    // Python reads each back and writes the very same text.
    expect(pythonRedump(ours)).toEqual(ours);
    // And values as JavaScript spells them come out as Python spells them.
    expect(pythonDumps(CORPUS.slice(0, 7))).toEqual(ours.slice(0, 7));
    // And what it writes parses back to the same value.
    expect(ours.map((s) => JSON.parse(s))).toEqual(JSON.parse(JSON.stringify(CORPUS)));
  });

  it('spells every number as json.dumps spells the Python value it stands for', () => {
    const values = {
      int: 42,
      bigint: 2n ** 70n,
      negative: -(10n ** 30n),
      safe: 2 ** 53 - 1,
      unsafeNumber: 2 ** 60,
      float: 1.5,
      negativeZero: -0,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
      e16: 1e16,
      small: 1e-5,
    };
    const text = pythonJsonDumps(values);
    expect(text).toBe(
      '{"int": 42, "bigint": 1180591620717411303424, "negative": -1000000000000000000000000000000, ' +
        '"safe": 9007199254740991, "unsafeNumber": 1.152921504606847e+18, "float": 1.5, ' +
        '"negativeZero": -0.0, "nan": NaN, "inf": Infinity, "ninf": -Infinity, "e16": 1e+16, "small": 1e-05}',
    );
    // Python reads these types and values, and writes the very same text.
    expect(pythonRedump([text])).toEqual([text]);
    expect(python('import json, sys; print(repr(json.loads(sys.argv[1])))', text)).toBe(
      "{'int': 42, 'bigint': 1180591620717411303424, 'negative': -1000000000000000000000000000000, " +
        "'safe': 9007199254740991, 'unsafeNumber': 1.152921504606847e+18, 'float': 1.5, " +
        "'negativeZero': -0.0, 'nan': nan, 'inf': inf, 'ninf': -inf, 'e16': 1e+16, 'small': 1e-05}",
    );
  });

  it('follows JSON.stringify for everything but numbers: toJSON, dropped undefined and functions', () => {
    const symbol = Symbol('s');
    expect(
      pythonJsonDumps({
        u: undefined,
        f: () => 1,
        s: symbol,
        d: new Date(0),
        list: [undefined, () => 1, symbol],
        wrapped: [Object(1.5), Object('x'), Object(false), Object(7n)],
        custom: { toJSON: (key: string) => `key ${key}` },
      }),
    ).toBe(
      '{"d": "1970-01-01T00:00:00.000Z", "list": [null, null, null], "wrapped": [1.5, "x", false, 7], ' +
        '"custom": "key custom"}',
    );
    expect(pythonJsonDumps(undefined)).toBe('null');
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = { back: circular };
    expect(() => pythonJsonDumps(circular)).toThrow(TypeError);
  });

  it('writes a bigint as an int even when a toJSON polyfill would make it a string', () => {
    const proto = BigInt.prototype as unknown as { toJSON?: () => string };
    proto.toJSON = function (this: bigint) {
      return this.toString();
    };
    try {
      expect(pythonJsonDumps({ id: 2n ** 64n })).toBe('{"id": 18446744073709551616}');
    } finally {
      delete proto.toJSON;
    }
  });

  it('refuses, naming the key but never the value, what Python cannot read back', () => {
    const longest = 10n ** 4299n; // 4300 digits: what Python still reads
    expect(pythonJsonDumps({ n: longest })).toBe(`{"n": ${longest}}`);
    const tooLong = () => pythonJsonDumps({ profile: { ids: [1, 10n ** 4300n] } });
    expect(tooLong).toThrow(SessionUnsupportedError);
    expect(tooLong).toThrow(/"profile\.ids\[1\]" is an int of more than 4300 digits/);
    expect(tooLong).not.toThrow(/10000/);
    let deep: unknown = 'x';
    // The record and the session dict are two of the levels.
    for (let i = 0; i < 898; i++) deep = [deep];
    expect(() => aiohttpRecord(1700000000, { deep })).not.toThrow();
    expect(() => aiohttpRecord(1700000000, { deep: [deep] })).toThrow(/nested deeper than 900 levels/);
  });
});

describe('parsePythonJson', () => {
  let py: PythonJson;
  beforeAll(() => {
    py = new PythonJson();
  });
  afterAll(() => py.close());

  // What json.loads reads in each; the kit must read the same.
  const ACCEPTED = [
    '-0',
    '0',
    '1E5',
    '1.50',
    '-0.0',
    '1e400',
    '-1e400',
    '1234567890123456789',
    '-9007199254740992',
    '9007199254740991',
    '1.0e0',
    'NaN',
    'Infinity',
    '-Infinity',
    ' \t\n\r[1 ,2\n]\r\n',
    '"\\/\\u00E9\\ud83d\\ude00\\ud800\\b\\f"',
    '"\u007f\u2028é"',
    '{"a": 1.0, "b": 2, "a": 3}',
    '{"a": [1.0], "a": {"x": 1}}',
    '{"__proto__": {"polluted": 1}, "2": 0, "1": 0}',
    `${'1'.repeat(4300)}`,
  ];
  const REFUSED = [
    '',
    ' ',
    '01',
    '1.',
    '.5',
    '+1',
    '1e',
    '-',
    '-NaN',
    'nan',
    'infinity',
    'NaN1',
    '[1,]',
    '{"a": 1,}',
    "{'a': 1}",
    '{a: 1}',
    '"\u0001"',
    '"\\x41"',
    '"\\u12"',
    '"open',
    '\ufeff{}',
    '\f1',
    '1 2',
    'True',
    `${'1'.repeat(4301)}`,
  ];

  it('reads exactly what json.loads reads, and refuses what it refuses', async () => {
    for (const text of ACCEPTED) {
      const model = await py.loads(text);
      expect(model, text).toBeDefined();
      expect(typed(parsePythonJson(text)?.value), text).toEqual(typed(jsOf(model as PyModel)));
    }
    for (const text of REFUSED) {
      expect(await py.loads(text), text).toBeUndefined();
      expect(parsePythonJson(text), text).toBeUndefined();
    }
  });

  it('reads ints beyond 2^53 as bigint, floats (whole, -0.0, NaN, infinite) as numbers', () => {
    const parsed = parsePythonJson(
      '{"id": 1234567890123456789, "edge": 9007199254740992, "safe": -9007199254740991, "zero": -0, ' +
        '"f": 1.0, "nz": -0.0, "n": NaN, "big": 1e+16, "tiny": 1e-07}',
    );
    expect(typed(parsed?.value)).toEqual(
      typed({
        id: 1234567890123456789n,
        edge: 9007199254740992n,
        safe: -9007199254740991,
        zero: 0,
        f: 1,
        nz: -0,
        n: Number.NaN,
        big: 1e16,
        tiny: 1e-7,
      }),
    );
  });

  it('refuses nesting deeper than Python reads, without exhausting the stack', () => {
    expect(parsePythonJson(`${'['.repeat(900)}${']'.repeat(900)}`)).toBeDefined();
    expect(parsePythonJson(`${'['.repeat(901)}${']'.repeat(901)}`)).toBeUndefined();
    expect(parsePythonJson('['.repeat(200_000))).toBeUndefined();
  });
});

describe('aiohttp records', () => {
  it('spells the envelope as aiohttp-session does, and {} for an empty session', () => {
    expect(aiohttpRecord(1700000000, { a: 'é' })).toBe(
      '{"created": 1700000000, "session": {"a": "\\u00e9"}}',
    );
    expect(aiohttpRecord(1700000000.9, { a: 1 })).toBe('{"created": 1700000000, "session": {"a": 1}}');
    expect(aiohttpRecord(1700000000, {})).toBe('{}');
    const [python] = pythonDumps([{ created: 1700000000, session: { a: 'é', n: [1.5] } }]);
    expect(aiohttpRecord(1700000000, { a: 'é', n: [1.5] })).toBe(python);
  });

  it('parses what aiohttp-session writes and refuses other shapes', () => {
    const plain = (text: string) => {
      const record = parseAiohttpRecord(text);
      return typeof record === 'object' ? { created: record.created, data: record.data } : record;
    };
    expect(plain('{"created": 5, "session": {"a": 1}}')).toEqual({ created: 5, data: { a: 1 } });
    expect(plain('{}')).toBe('empty');
    expect(plain('{"created": 5}')).toEqual({ created: 5, data: {} });
    expect(plain('{"session": {"a": 1}}')).toEqual({ created: 0, data: { a: 1 } });
    expect(plain('{"created": 12345678901234567890, "session": {"a": 1}}')).toEqual({
      created: 0,
      data: { a: 1 },
    });
    for (const bad of [
      '',
      'null',
      '[]',
      '"x"',
      '{"created": 5, "session": [1]}',
      '{"created": 5, "session": 3}',
      '{',
    ]) {
      expect(parseAiohttpRecord(bad), bad).toBeUndefined();
    }
    const parsed = parseAiohttpRecord('{"created": 5, "session": {"__proto__": {"polluted": true}}}');
    const data = parsed === 'empty' ? {} : (parsed?.data ?? {});
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  // A session as a Python app holds it, written by Python's own json.dumps.
  const PY_SESSION =
    '{"user_id": 1234567890123456789, "zoom": 1.0, "neg": -0.0, "nan": float("nan"), ' +
    '"inf": float("inf"), "ninf": float("-inf"), "e16": 1e16, "tiny": 1e-07, "huge": -2**80, ' +
    '"prefs": {"zoom": 1.0, "theme": "light", "2": 2.0, "1": [1.0, 2, {"ratio": 3.0}]}, "name": "Zo\\u00eb \\U0001F600"}';
  const pyRecord = (session: string) =>
    python(`import json; print(json.dumps({"created": 1700000000, "session": ${session}}))`);

  it('writes back every value Python wrote when the app changes another key', () => {
    const text = pyRecord(PY_SESSION);
    const record = parseAiohttpRecord(text);
    if (typeof record !== 'object') throw new Error('not read');
    expect(aiohttpRecord(1700000000, record.data, record.spelling)).toBe(text);
    const data = { ...record.data, name: 'Bob' };
    expect(aiohttpRecord(1700000000, data, record.spelling)).toBe(
      pyRecord(PY_SESSION.replace('"Zo\\u00eb \\U0001F600"', '"Bob"')),
    );
  });

  it('writes back the floats around a nested value the app rewrites', () => {
    const text = pyRecord(PY_SESSION);
    const record = parseAiohttpRecord(text);
    if (typeof record !== 'object') throw new Error('not read');
    const prefs = record.data.prefs as Record<string, unknown>;
    const data = { ...record.data, prefs: { ...prefs, theme: 'dark', 1: [1, 2, { ratio: 3 }] } };
    expect(aiohttpRecord(1700000000, data, record.spelling)).toBe(
      pyRecord(PY_SESSION.replace('"light"', '"dark"')),
    );
  });

  it('spells a number that moved or changed as a new one, and forgets overridden keys', () => {
    const record = parseAiohttpRecord(
      '{"created": 5, "session": {"a": 1.0, "b": [2.0, 3.0], "c": 1.0, "c": 1}}',
    );
    if (typeof record !== 'object') throw new Error('not read');
    expect(record.data).toEqual({ a: 1, b: [2, 3], c: 1 });
    // A repeated key: Python kept the last value, an int.
    expect(aiohttpRecord(5, record.data, record.spelling)).toBe(
      '{"created": 5, "session": {"a": 1.0, "b": [2.0, 3.0], "c": 1}}',
    );
    const data = { a: 2, b: [1, 2, 3], moved: 1, c: 1 };
    expect(aiohttpRecord(5, data, record.spelling)).toBe(
      '{"created": 5, "session": {"a": 2, "b": [1, 2, 3], "c": 1, "moved": 1}}',
    );
  });

  it('keeps Python’s key order; keys the app adds come after', () => {
    const text = '{"created": 5, "session": {"b": {"z": 1, "3": 2, "1": 3}, "9": 0}}';
    const record = parseAiohttpRecord(text);
    if (typeof record !== 'object') throw new Error('not read');
    expect(Object.keys(record.data)).toEqual(['9', 'b']);
    expect(aiohttpRecord(5, record.data, record.spelling)).toBe(text);
    const b = { ...(record.data.b as object), 0: 4, a: 5 };
    expect(aiohttpRecord(5, { ...record.data, 2: 'new', b }, record.spelling)).toBe(
      '{"created": 5, "session": {"b": {"z": 1, "3": 2, "1": 3, "0": 4, "a": 5}, "9": 0, "2": "new"}}',
    );
  });
});

describe('unquoteCookieValue', () => {
  it('undoes Python’s cookie quoting and leaves plain values alone', () => {
    expect(unquoteCookieValue('"gAAAAAB=="')).toBe('gAAAAAB==');
    expect(unquoteCookieValue('"a\\"b\\\\c\\054d"')).toBe('a"b\\c,d');
    expect(unquoteCookieValue('plain')).toBe('plain');
    expect(unquoteCookieValue('"')).toBe('"');
    expect(unquoteCookieValue('"open')).toBe('"open');
  });
});
