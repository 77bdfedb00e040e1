// Hostile input for the aiohttp-session formats: arbitrary cookie values,
// authentic Fernet tokens around arbitrary plaintexts, and arbitrary JSON
// through the Python-spelling serializer. Then Python's own json module (a
// long-lived python3 child): every value json.dumps writes must come back
// byte for byte, through any change the Next.js app makes elsewhere, and the
// kit must read exactly what json.loads reads.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  changeData,
  changeModel,
  expectedAfter,
  jsOf,
  oddlySpelled,
  type PyModel,
  pySession,
  recordModel,
  sessionAndChange,
  typed,
} from '../../test/aiohttp/py-model.ts';
import { ensurePython, PythonJson } from '../../test/aiohttp/python.ts';
import { createFernetCodec, decodeFernetKey } from '../codec/fernet.ts';
import { createLifetime } from '../lifetime.ts';
import { fernetCookieStorage } from '../storage/aiohttp/fernet-cookie.ts';
import { aiohttpRecord, parseAiohttpRecord, pythonJsonDumps } from '../storage/aiohttp/python-json.ts';
import { parsePythonJson } from '../storage/aiohttp/python-json-parse.ts';
import { createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import { applyEdits, edits, hostileString, pollutingJson } from '../test-utils/hostile.ts';

const fuzz = createFuzzer('aiohttp');
const KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const NOW = Date.UTC(2026, 0, 1);
const NOW_S = NOW / 1000;
const context = { cookieName: 'AIOHTTP_SESSION', lifetime: createLifetime(3600, undefined), now: () => NOW };
const storage = fernetCookieStorage({ key: KEY }).create(context);
const codec = createFernetCodec([decodeFernetKey(KEY) as Uint8Array]);

const recordLike = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constant(NOW_S - 5), fc.integer(), fc.constantFrom(null, '1', 0.5, -1)),
        pollutingJson(),
      )
      .map(([created, session]) => JSON.stringify({ created, session })),
  },
  pollutingJson().map((value) => JSON.stringify(value) ?? ''),
  hostileString(60),
);

describe('aiohttp formats under hostile input', () => {
  it('fernet-cookie: arbitrary cookie values are refused as invalid, never thrown', async () => {
    await fuzz(fc.oneof(hostileString(120), fc.base64String({ maxLength: 200 })), async (value) => {
      const result = await storage.load(value);
      expect(result.status).toBe('rejected');
      expectPrototypesIntact();
    });
  });

  it('fernet-cookie: an authentic token loads only a well-formed, live record', async () => {
    await fuzz(recordLike, async (text) => {
      const result = await storage.load(await codec.encrypt(text, NOW_S));
      const record = parseAiohttpRecord(text);
      if (result.status === 'found') {
        expect(record).not.toBe('empty');
        expect(record).toBeDefined();
        expect(result.state.data).toEqual(record !== 'empty' ? record?.data : undefined);
      } else if (record !== undefined && record !== 'empty') {
        // Refused although well-formed: only because it is too old (or has no time).
        expect(result.reason).toBe('expired');
        expect(record.created <= 0 || NOW_S - record.created > context.lifetime.maxAge).toBe(true);
      }
      expectPrototypesIntact();
    });
  });

  it('pythonJsonDumps: any JSON value is written in ASCII and reads back as the same value', async () => {
    await fuzz(fc.jsonValue(), (value) => {
      const text = pythonJsonDumps(value);
      expect(text).toMatch(/^[\x20-\x7e]*$/);
      expect(typed(parsePythonJson(text)?.value)).toEqual(typed(value));
    });
  });
});

describe('aiohttp formats against Python’s json module', () => {
  let py: PythonJson;
  beforeAll(() => {
    ensurePython();
    py = new PythonJson();
  });
  afterAll(() => py?.close());
  const created = fc.integer({ min: 0, max: 2 ** 31 });

  it('every session json.dumps writes reads as documented and is written back byte for byte', async () => {
    await fuzz(fc.tuple(created, pySession()), async ([seconds, session]) => {
      const text = await py.dumps(recordModel(seconds, session));
      const record = parseAiohttpRecord(text);
      if (record === undefined || record === 'empty') throw new Error(`not read: ${text}`);
      // Ints beyond 2^53 as bigint, floats as numbers (NaN, -0 and the infinities included).
      expect(typed(record.data)).toEqual(typed(jsOf(session)));
      expect(aiohttpRecord(seconds, record.data, record.spelling)).toBe(text);
      expectPrototypesIntact();
    });
  });

  it('a change to one key, or to a value nested in one, leaves everything else as Python wrote it', async () => {
    await fuzz(fc.tuple(created, sessionAndChange()), async ([seconds, { session, change }]) => {
      const record = parseAiohttpRecord(await py.dumps(recordModel(seconds, session)));
      if (record === undefined || record === 'empty') throw new Error('not read');
      const changed = changeModel(session, change) as PyModel & { 0: 'dict' };
      const expected = expectedAfter(session, changed) as typeof changed;
      const data = changeData(record.data, change);
      const ours = Object.keys(data).length === 0 ? '{}' : await py.dumps(recordModel(seconds, expected));
      expect(aiohttpRecord(seconds, data, record.spelling)).toBe(ours);
    });
  });

  it('reads exactly what json.loads reads, and refuses what it refuses', async () => {
    const texts = fc.oneof(
      { weight: 3, arbitrary: fc.tuple(pySession(), fc.oneof(fc.constant([]), edits())) },
      { weight: 3, arbitrary: oddlySpelled().map((text) => [undefined, [], text] as const) },
      fc
        .tuple(oddlySpelled(), edits())
        .map(([text, changes]) => [undefined, [], applyEdits(text, changes)] as const),
      hostileString(40).map((text) => [undefined, [], text] as const),
      fc
        .array(
          fc.constantFrom(
            ...'{}[],:" \\/abfnrtu\t\n-.0123456789eE+',
            'NaN',
            '-Infinity',
            'Infinity',
            'true',
            'null',
            '\\u00e9',
            '"a"',
            '1.0',
          ),
          { maxLength: 24 },
        )
        .map((parts) => [undefined, [], parts.join('')] as const),
    );
    await fuzz(texts, async (input) => {
      const text =
        input[0] === undefined ? (input[2] as string) : applyEdits(await py.dumps(input[0]), input[1]);
      const python = await py.loads(text);
      const ours = parsePythonJson(text);
      if (python === undefined) expect(ours).toBeUndefined();
      else expect(typed(ours?.value)).toEqual(typed(jsOf(python)));
      expectPrototypesIntact();
    });
  });
});
