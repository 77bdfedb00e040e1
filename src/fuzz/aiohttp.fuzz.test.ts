// Hostile input for the aiohttp-session formats: arbitrary cookie values,
// authentic Fernet tokens around arbitrary plaintexts, and arbitrary JSON
// through the Python-spelling serializer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFernetCodec, decodeFernetKey } from '../codec/fernet.ts';
import { fernetCookieStorage } from '../storage/aiohttp/fernet-cookie.ts';
import { parseAiohttpRecord, pythonJsonDumps } from '../storage/aiohttp/python-json.ts';
import { createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import { hostileString, pollutingJson } from '../test-utils/hostile.ts';

const fuzz = createFuzzer('aiohttp');
const KEY = 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=';
const NOW = Date.UTC(2026, 0, 1);
const NOW_S = NOW / 1000;
const context = { cookieName: 'AIOHTTP_SESSION', maxAge: 3600, idleTimeout: undefined, now: () => NOW };
const backend = fernetCookieStorage({ key: KEY }).create(context);
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
      const result = await backend.load(value);
      expect(result.status).toBe('rejected');
      expectPrototypesIntact();
    });
  });

  it('fernet-cookie: an authentic token loads only a well-formed, live record', async () => {
    await fuzz(recordLike, async (text) => {
      const result = await backend.load(await codec.encrypt(text, NOW_S));
      const record = parseAiohttpRecord(text);
      if (result.status === 'found') {
        expect(record).not.toBe('empty');
        expect(record).toBeDefined();
        expect(result.state.data).toEqual(record !== 'empty' ? record?.data : undefined);
      } else if (record !== undefined && record !== 'empty') {
        // Refused although well-formed: only because it is too old (or has no time).
        expect(result.reason).toBe('expired');
        expect(record.created <= 0 || NOW_S - record.created > context.maxAge).toBe(true);
      }
      expectPrototypesIntact();
    });
  });

  it('pythonJsonDumps: any JSON value reads back as JSON.stringify would have it', async () => {
    await fuzz(fc.jsonValue(), (value) => {
      const text = pythonJsonDumps(value);
      expect(text).toMatch(/^[\x20-\x7e]*$/);
      expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value) ?? 'null'));
    });
  });
});
