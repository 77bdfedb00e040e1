import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fuzzRuns } from '../../test-utils/fuzz.ts';
import { createSessionId } from '../session-id.ts';
import {
  decodeStoredSession,
  decodeValue,
  decodeValueOr,
  encodeStoredSession,
  encodeValue,
  UNDECODABLE,
} from './record-codec.ts';

// What decodeValueOr must return: JSON.parse after the prefix, or UNDECODABLE.
function reference(text: string): unknown {
  if (!text.startsWith('j')) return UNDECODABLE;
  try {
    return JSON.parse(text.slice(1));
  } catch {
    return UNDECODABLE;
  }
}

describe('record codec', () => {
  it('round-trips every JSON value as JSON does', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // JSON's own rules apply: -0 comes back as 0.
        expect(decodeValueOr(encodeValue(value))).toStrictEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: fuzzRuns(2) },
    );
  });

  it('writes exactly what JSON.stringify writes, numbers included', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.jsonValue()), (value) => {
        expect(encodeValue(value)).toBe(`j${JSON.stringify(value)}`);
      }),
      { numRuns: fuzzRuns(2) },
    );
  });

  it('reads plain strings and integers exactly as JSON.parse does, malformed ones included', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary' }).map((s) => `j"${s}"`),
      fc.string({ unit: 'binary' }).map((s) => `j${s}`),
      fc.stringMatching(/^j-?[0-9]{0,20}$/),
      fc.stringMatching(/^j"[\s\S]{0,8}"?$/),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        expect(decodeValueOr(candidate)).toStrictEqual(reference(candidate));
      }),
      { numRuns: fuzzRuns(5) },
    );
    for (const edge of [
      'j"a\nb"',
      'j"a\\"',
      'j"\\u0041"',
      'j"\u{1f600}"',
      'j"\ud800"',
      'j-0',
      'j007',
      'j1e3',
    ]) {
      expect(decodeValueOr(edge)).toStrictEqual(reference(edge));
    }
  });

  it('refuses values it did not write', () => {
    for (const foreign of [42, null, undefined, '{"a":1}', 'j', 'j{', 'jundefined']) {
      expect(decodeValueOr(foreign)).toBe(UNDECODABLE);
      expect(decodeValue(foreign)).toBeUndefined();
    }
  });

  it('a whole session round-trips, with createdAt read from the id', () => {
    const createdAt = 1_764_000_000_000;
    const id = createSessionId(createdAt);
    const session = { id, data: { a: 1 }, createdAt, lastActiveAt: createdAt + 5, userId: 'ada', flash: {} };
    const text = encodeStoredSession(session);
    expect(text).toBe(`j{"i":"${id}","a":${createdAt + 5},"u":"ada","d":{"a":1},"f":{}}`);
    expect(decodeStoredSession(text)).toEqual({
      id,
      data: { a: 1 },
      createdAt,
      lastActiveAt: createdAt + 5,
      userId: 'ada',
    });
    const wrongCreatedAt = encodeStoredSession({ ...session, createdAt: 0, flash: undefined });
    expect(decodeStoredSession(wrongCreatedAt)?.createdAt).toBe(createdAt);
    for (const bad of [
      `j{"i":"not-an-id","a":1,"d":{}}`,
      `j{"i":"${id}","a":-1,"d":{}}`,
      `j{"i":"${id}","a":1,"u":7,"d":{}}`,
      `j{"i":"${id}","a":1,"d":[]}`,
      `j{"i":"${id}","a":1,"d":{},"v":0}`,
      `j{"i":"${id}","a":1,"d":{},"f":null}`,
      '{"i":1}',
      'garbage',
    ]) {
      expect(decodeStoredSession(bad), bad).toBeUndefined();
    }
  });
});
