// Hostile payloads inside the cookie: what the cookie storages do with a
// value that decrypts (or, for the unsigned storage, decodes) but is not a
// session, or is a session with keys that try to reach prototypes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64urlEncodeText } from '../codec/base64url.ts';
import { createJweCodec } from '../codec/jwe.ts';
import { isRecord } from '../is-object.ts';
import { createLifetime, isSessionLifetime } from '../lifetime.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { decodeEnvelope, encodeEnvelope } from '../storage/envelope.ts';
import { createdAtFromSessionId, createSessionId } from '../storage/session-id.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import type { LoadResult, SessionState } from '../storage/types.ts';
import { createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import { applyEdits, edits, hostileString, pollutingJson } from '../test-utils/hostile.ts';

const fuzz = createFuzzer('storage');
const SECRET = 'fuzz-storage-secret-that-is-long-enough-1';
const NOW = Date.UTC(2026, 0, 1);
const context = { cookieName: 'session', lifetime: createLifetime(14 * 24 * 3600, 3600), now: () => NOW };

const pollutingKey = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'polluted') },
  fc.string({ maxLength: 8 }),
);
const dataLike = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 5 }) },
  pollutingJson(),
);
const idLike = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 ** 42 - 1 }).map((ms) => createSessionId(ms)) },
  fc.string({ unit: fc.constantFrom(...'AZaz09-_=+/.'), minLength: 11, maxLength: 13 }),
  hostileString(14),
  fc.constantFrom(null, 0, 123456789012, true, []),
);
const metaLike = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        a: fc.nat(),
        u: fc.string({ maxLength: 8 }),
        f: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 3 }),
        v: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  fc.dictionary(
    fc.constantFrom('a', 'u', 'f', 'v', 'l', 't', 'n', '__proto__', 'constructor', 'x'),
    fc.oneof(
      fc.nat(),
      fc.constantFrom(-1, 0.5, 2 ** 53, 1e308, null, '1', 'ada', true),
      fc.string({ maxLength: 6 }),
      dataLike,
    ),
    { maxKeys: 5 },
  ),
  pollutingJson(),
);
// Arrays shaped like the envelope (and near misses), as JSON text, sometimes damaged.
const payload = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(dataLike, idLike, metaLike, fc.constantFrom(1, 2, 2, 3, 3, 3, 4))
      .map(([data, id, meta, length]) => JSON.stringify([data, id, meta, 'extra'].slice(0, length))),
  },
  fc
    .tuple(dataLike, idLike, metaLike, edits())
    .map(([data, id, meta, changes]) => applyEdits(JSON.stringify([data, id, meta]), changes)),
  pollutingJson().map((value) => JSON.stringify(value) ?? ''),
  hostileString(60),
);

/** The session a payload must decode to, restated from the envelope's contract; `undefined`: reject. */
function expectedState(text: string): SessionState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length < 2 || value.length > 3) return undefined;
  const [data, id, meta] = value as unknown[];
  if (!isRecord(data) || typeof id !== 'string' || !/^[A-Za-z0-9_-]{12}$/.test(id)) return undefined;
  const createdAt = createdAtFromSessionId(id) as number;
  const state: SessionState = { id, data, createdAt, lastActiveAt: createdAt };
  if (value.length === 2) return state;
  if (!isRecord(meta)) return undefined;
  const own = (key: string) => (Object.hasOwn(meta, key) ? meta[key] : undefined);
  const [a, u, f, v] = [own('a'), own('u'), own('f'), own('v')];
  // The sign-in fields: own lifetime, sign-in time (ms before creation, never after it), data version.
  const [l, t, n] = [own('l'), own('t'), own('n')];
  const whole = (x: unknown, min: number): x is number =>
    typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
  if (l !== undefined && !isSessionLifetime(l)) return undefined;
  if (t !== undefined && !(whole(t, 0) && t <= createdAt)) return undefined;
  if (n !== undefined && !whole(n, 1)) return undefined;
  if (a !== undefined && !(typeof a === 'number' && Number.isSafeInteger(a) && a >= 0)) return undefined;
  if (u !== undefined && typeof u !== 'string') return undefined;
  if ((f !== undefined && !isRecord(f)) || (v !== undefined && !isRecord(v))) return undefined;
  if (typeof a === 'number') state.lastActiveAt = createdAt + a * 1000;
  if (u !== undefined) state.userId = u;
  if (n !== undefined) state.version = n;
  if (t !== undefined) state.authenticatedAt = createdAt - t;
  if (l !== undefined) state.lifetime = l;
  if (f !== undefined) state.flash = f;
  if (v !== undefined) state.shown = v;
  return state;
}

// A payload travels as UTF-8, so lone surrogates arrive as U+FFFD.
const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('utf8');

function expectLoaded(result: LoadResult, text: string): void {
  const expected = expectedState(text);
  if (expected === undefined) {
    expect(result).toEqual({ status: 'rejected', reason: 'invalid' });
  } else {
    expect(result.status).toBe('found');
    if (result.status === 'found') {
      expect(result.state).toEqual(expected);
      expect(Object.keys(result.state.data)).toEqual(Object.keys(expected.data));
      expect(Object.getPrototypeOf(result.state.data)).toBe(Object.prototype);
    }
  }
  expectPrototypesIntact();
}

describe('session payloads (fuzz)', () => {
  const encrypted = encryptedCookieStorage({ secret: SECRET }).create(context);
  const encryptedWeb = encryptedCookieStorage({ secret: SECRET, crypto: 'web' }).create(context);
  const simple = simpleCookieStorage().create(context);
  const sealer = createJweCodec({ secrets: [SECRET], salt: 'session' });

  it('decodeEnvelope keeps a well-formed payload as plain own data and refuses every other', async () => {
    await fuzz(payload, (text) => {
      const state = decodeEnvelope(text);
      expectLoaded(
        state === undefined
          ? { status: 'rejected', reason: 'invalid' }
          : { status: 'found', state, handle: state.id, stale: false },
        text,
      );
    });
  });

  it.each([
    ['encrypted-cookie (node)', encrypted],
    ['encrypted-cookie (web)', encryptedWeb],
  ])(
    '%s: an authentic but hostile payload loads as the envelope says, or is refused',
    async (_name, storage) => {
      await fuzz(payload, async (text) => {
        expectLoaded(await storage.load(await sealer.seal(text)), utf8(text));
      });
    },
  );

  it('simple-cookie: any base64url payload loads as the envelope says, or is refused', async () => {
    await fuzz(payload, async (text) => {
      expectLoaded(await simple.load(base64urlEncodeText(text)), utf8(text));
    });
  });

  it.each([
    ['encrypted-cookie', encrypted],
    ['simple-cookie', simple],
  ])('%s: arbitrary cookie values are refused as invalid, never thrown', async (name, storage) => {
    await fuzz(hostileString(120), async (value) => {
      const result = await storage.load(value);
      if (name === 'simple-cookie' && result.status === 'found') return; // unsigned: any valid JSON is accepted
      expect(result).toEqual({ status: 'rejected', reason: 'invalid' });
    });
  });

  it('keeps any data, including "__proto__" keys, as own data through encode and decode', async () => {
    const state = fc.record({
      data: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 6 }),
      flash: fc.option(fc.dictionary(pollutingKey, pollutingJson(), { minKeys: 1, maxKeys: 3 }), {
        nil: undefined,
      }),
      userId: fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      idle: fc.nat(100_000),
    });
    await fuzz(state, ({ data, flash, userId, idle }) => {
      const createdAt = NOW - 200_000_000;
      const input: SessionState = {
        id: createSessionId(createdAt),
        data,
        createdAt,
        lastActiveAt: createdAt + idle * 1000,
      };
      if (flash !== undefined) input.flash = flash;
      if (userId !== undefined) input.userId = userId;
      const decoded = decodeEnvelope(encodeEnvelope(input, true));
      expect(decoded).toBeDefined();
      expect(Object.keys(decoded?.data ?? {})).toEqual(Object.keys(data));
      expect(JSON.stringify(decoded?.data)).toBe(JSON.stringify(data));
      expect(JSON.stringify(decoded?.flash)).toBe(JSON.stringify(flash));
      expect(decoded?.userId).toBe(userId);
      expect(decoded?.lastActiveAt).toBe(input.lastActiveAt);
      expectPrototypesIntact();
    });
  });
});
