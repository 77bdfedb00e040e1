// The serializer against Python's own json.dumps (Debian's python3).
import { beforeAll, describe, expect, it } from 'vitest';
import { ensurePython, pythonDumps, pythonRedump } from '../../../test/aiohttp/python.ts';
import { aiohttpRecord, parseAiohttpRecord, pythonJsonDumps } from './python-json.ts';
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
    const ours = CORPUS.map(pythonJsonDumps);
    // Python reads each back and writes the very same text.
    expect(pythonRedump(ours)).toEqual(ours);
    // And values as JavaScript spells them come out as Python spells them.
    expect(pythonDumps(CORPUS.slice(0, 7))).toEqual(ours.slice(0, 7));
    // And what it writes parses back to the same value.
    expect(ours.map((s) => JSON.parse(s))).toEqual(JSON.parse(JSON.stringify(CORPUS)));
  });

  it('follows JSON.stringify for values JSON has no spelling for', () => {
    expect(
      pythonJsonDumps({ u: undefined, n: Number.NaN, i: Number.POSITIVE_INFINITY, d: new Date(0) }),
    ).toBe('{"n": null, "i": null, "d": "1970-01-01T00:00:00.000Z"}');
    expect(pythonJsonDumps({ z: -0 })).toBe('{"z": 0}');
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
    expect(parseAiohttpRecord('{"created": 5, "session": {"a": 1}}')).toEqual({ created: 5, data: { a: 1 } });
    expect(parseAiohttpRecord('{}')).toBe('empty');
    expect(parseAiohttpRecord('{"created": 5}')).toEqual({ created: 5, data: {} });
    expect(parseAiohttpRecord('{"session": {"a": 1}}')).toEqual({ created: 0, data: { a: 1 } });
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
