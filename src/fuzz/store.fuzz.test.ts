// Hostile input to the store-backed storages: cookie values that are not
// tokens, tokens nobody issued, and records in the store that are corrupt or
// carry keys that try to reach prototypes. Real Redis and Memcached.

import fc from 'fast-check';
import { Redis } from 'ioredis';
import memjs from 'memjs';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { memcachedStorage } from '../entries/memcached.ts';
import { redisStorage } from '../entries/redis.ts';
import { isRecord } from '../is-object.ts';
import { isSessionLifetime } from '../lifetime.ts';
import { createdAtFromSessionId, createSessionId } from '../storage/session-id.ts';
import { createToken, isWellFormedToken, sha256Base64url } from '../storage/store/token.ts';
import { createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import { applyEdits, edits, hostileString, pollutingJson } from '../test-utils/hostile.ts';
import { expectSessionHolds, fuzzLoader, pollutingKey, storedValue } from '../test-utils/stored-fuzz.ts';

const fuzz = createFuzzer('store');
const MAX_AGE = 14 * 24 * 3600;
const SKEW_MS = 5_000;
// A session created or last active further ahead than this is refused as 'future'.
const FUTURE_MS = 60_000;
// A store round trip per case: fewer cases than the pure properties.
const STORE_WEIGHT = 0.5;

const servers = inject('servers');
const redis = new Redis(servers.redis.url, { maxRetriesPerRequest: 1 });
const memcached = memjs.Client.create(servers.memcached.url, { logger: { log: () => {} } });
afterAll(() => {
  redis.disconnect();
  memcached.close();
});

// Storage holds UTF-8: lone surrogates come back as U+FFFD.
const stored = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

describe('store tokens (fuzz)', () => {
  it('accepts as a token exactly 43 characters of canonical base64url', async () => {
    const token = createToken();
    const arbitrary = fc.oneof(
      hostileString(60),
      edits().map((changes) => applyEdits(token, changes)),
      fc.string({ unit: fc.constantFrom(...'AZaz09-_+/='), minLength: 42, maxLength: 44 }),
    );
    await fuzz(arbitrary, async (value) => {
      const canonical = Buffer.from(value, 'base64url').toString('base64url') === value;
      expect(isWellFormedToken(value)).toBe(value.length === 43 && canonical);
      const hash = await sha256Base64url(value);
      expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(isWellFormedToken(createToken())).toBe(true);
    });
  });

  it('never asks the store about a malformed token, and finds no token it did not issue', async () => {
    const load = fuzzLoader(redisStorage({ client: redis, keyPrefix: uniquePrefix('fuzz-token') }), {
      now: Date.now(),
      maxAge: MAX_AGE,
    });
    const lookups = vi.spyOn(redis, 'hgetall');
    const token = createToken();
    const arbitrary = fc.oneof(
      hostileString(60),
      edits().map((changes) => applyEdits(token, changes)),
      fc.constant(token),
    );
    try {
      await fuzz(
        arbitrary,
        async (value) => {
          const before = lookups.mock.calls.length;
          const loaded = await load(value);
          if (loaded === undefined) return;
          const { session, reports } = loaded;
          expect(session.isNew).toBe(true);
          if (value === '') {
            expect(reports).toEqual([]);
          } else if (isWellFormedToken(value)) {
            expect(reports).toEqual(['expired']); // looked up, not there
          } else {
            expect(reports).toEqual(['invalid']);
            expect(lookups.mock.calls.length).toBe(before);
          }
        },
        { weight: STORE_WEIGHT },
      );
    } finally {
      lookups.mockRestore();
    }
  });
});

/** Changes to a valid Redis session hash. */
const hashChange = fc.oneof(
  fc.record({ field: fc.constantFrom('_id', '_a', '_u'), value: storedValue }),
  fc.record({
    field: fc.constant('_id'),
    value: fc
      .oneof(
        hostileString(14),
        fc.string({ unit: fc.constantFrom(...'AZaz09-_'), minLength: 11, maxLength: 13 }),
      )
      .map((id) => `j${JSON.stringify(id)}`),
  }),
  fc.record({
    field: fc.constant('_a'),
    value: fc.constantFrom(-1, 0, 0.5, 2 ** 53, 1e300, '1', null).map((a) => `j${JSON.stringify(a)}`),
  }),
  fc.record({ field: fc.constantFrom('_id', '_a', '_u'), value: fc.constant(undefined) }),
  fc.record({
    field: fc.oneof(
      pollutingKey.map((k) => `d.${k}`),
      pollutingKey.map((k) => `f.${k}`),
      pollutingKey,
    ),
    value: storedValue,
  }),
);

interface Expected {
  id: string;
  lastActiveAt: number;
  userId: string | undefined;
  data: Map<string, unknown>;
  flash: Map<string, unknown>;
  /** The data version the record claims (absent: 1). */
  version?: number;
  /** The session's own absolute lifetime in seconds (`newSession({ maxAge })`), if it has one. */
  maxAge?: number;
}

/**
 * The sign-in fields a record may carry (own lifetime, sign-in time, device), restated: a
 * damaged field name can turn into one of them, and a record whose value there is not what
 * the kit writes is corrupt. `undefined`: corrupt.
 */
function withSignIn(
  expected: Expected | undefined,
  field: (name: 'lifetime' | 'authenticatedAt' | 'userAgent' | 'ip') => unknown,
): Expected | undefined {
  if (expected === undefined) return undefined;
  const lifetime = field('lifetime');
  if (lifetime !== undefined) {
    if (!isSessionLifetime(lifetime)) return undefined;
    if (lifetime.maxAge !== undefined) expected.maxAge = lifetime.maxAge;
  }
  const authenticatedAt = field('authenticatedAt');
  const createdAt = createdAtFromSessionId(expected.id) as number;
  if (
    authenticatedAt !== undefined &&
    (typeof authenticatedAt !== 'number' ||
      !Number.isSafeInteger(authenticatedAt) ||
      authenticatedAt < 0 ||
      authenticatedAt > createdAt)
  )
    return undefined;
  for (const text of [field('userAgent'), field('ip')]) {
    if (text !== undefined && typeof text !== 'string') return undefined;
  }
  return expected;
}

/** A stored value as the kit writes it: "j" + JSON; `undefined` for anything else. */
function decodeStored(text: string): { value: unknown } | undefined {
  if (!text.startsWith('j')) return undefined;
  try {
    return { value: JSON.parse(text.slice(1)) };
  } catch {
    return undefined;
  }
}

/** The session a Redis hash must load as, restated from the record format; `undefined`: corrupt. */
function expectedFromHash(hash: ReadonlyMap<string, string>): Expected | undefined {
  const data = new Map<string, unknown>();
  const flash = new Map<string, unknown>();
  const meta = new Map<string, unknown>();
  for (const [field, text] of hash) {
    const decoded = decodeStored(text);
    if (decoded === undefined) return undefined;
    if (field.startsWith('d.')) data.set(field.slice(2), decoded.value);
    else if (field.startsWith('f.')) flash.set(field.slice(2), decoded.value);
    else meta.set(field, decoded.value);
  }
  const names = { lifetime: '_l', authenticatedAt: '_t', userAgent: '_g', ip: '_p' } as const;
  return withSignIn(expectedFrom(meta.get('_id'), meta.get('_a'), meta.get('_u'), data, flash), (name) =>
    meta.get(names[name]),
  );
}

function expectedFrom(
  id: unknown,
  lastActiveAt: unknown,
  userId: unknown,
  data: Map<string, unknown>,
  flash: Map<string, unknown>,
): Expected | undefined {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{12}$/.test(id)) return undefined;
  if (typeof lastActiveAt !== 'number' || !Number.isSafeInteger(lastActiveAt) || lastActiveAt < 0)
    return undefined;
  if (userId !== undefined && typeof userId !== 'string') return undefined;
  return { id, lastActiveAt, userId, data, flash };
}

async function expectLoadedAs(
  load: ReturnType<typeof fuzzLoader>,
  token: string,
  expected: Expected | undefined,
  now: number,
): Promise<void> {
  const loaded = await load(token);
  if (loaded === undefined) return;
  const { session, reports } = loaded;
  expectPrototypesIntact();
  if (expected === undefined) {
    expect(session.isNew).toBe(true);
    expect(reports).toEqual(['invalid']);
    return;
  }
  const createdAt = createdAtFromSessionId(expected.id) as number;
  if (createdAt > now + FUTURE_MS || expected.lastActiveAt > now + FUTURE_MS) {
    expect(session.isNew).toBe(true);
    expect(reports).toEqual(['future']);
    return;
  }
  if (now > createdAt + (expected.maxAge ?? MAX_AGE) * 1000 + SKEW_MS) {
    expect(session.isNew).toBe(true);
    expect(reports).toEqual(['expired']);
    return;
  }
  if (expected.version !== undefined) {
    // Written for a newer data version than this kit's (1), with no migration.
    expect(session.isNew).toBe(true);
    expect(reports).toEqual(['version']);
    return;
  }
  expect(reports).toEqual([]);
  await expectSessionHolds(session, expected);
}

describe('stored records (fuzz)', () => {
  it('redis: a damaged or hostile record loads as plain own data, or the session is fresh', async () => {
    const now = Date.now();
    const keyPrefix = uniquePrefix('fuzz-record');
    const load = fuzzLoader(redisStorage({ client: redis, keyPrefix }), { now, maxAge: MAX_AGE });
    const arbitrary = fc.record({
      age: fc.integer({ min: 0, max: MAX_AGE * 1000 + 60_000 }),
      userId: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
      data: fc.array(fc.tuple(pollutingKey, pollutingJson()), { maxLength: 5 }),
      flash: fc.array(fc.tuple(pollutingKey, pollutingJson()), { maxLength: 2 }),
      changes: fc.array(hashChange, { maxLength: 3 }),
    });
    await fuzz(
      arbitrary,
      async ({ age, userId, data, flash, changes }) => {
        const hash = new Map<string, string>();
        hash.set('_id', `j${JSON.stringify(createSessionId(now - age))}`);
        hash.set('_a', `j${now - age}`);
        if (userId !== undefined) hash.set('_u', `j${JSON.stringify(userId)}`);
        for (const [key, value] of data) hash.set(`d.${key}`, `j${JSON.stringify(value)}`);
        for (const [key, value] of flash) hash.set(`f.${key}`, `j${JSON.stringify(value)}`);
        for (const { field, value } of changes) {
          if (value === undefined) hash.delete(field);
          else hash.set(field, value);
        }
        if (hash.size === 0) hash.set('x', 'jnull');
        const written = new Map([...hash].map(([field, value]) => [stored(field), stored(value)]));
        const token = createToken();
        const key = `${keyPrefix}s:${await sha256Base64url(token)}`;
        await redis.multi().hset(key, Object.fromEntries(written)).pexpire(key, 60_000).exec();
        await expectLoadedAs(load, token, expectedFromHash(written), now);
      },
      { weight: STORE_WEIGHT },
    );
  });

  it('memcached: a damaged or hostile record loads as plain own data, or the session is fresh', async () => {
    const now = Date.now();
    const keyPrefix = uniquePrefix('fuzz-mc');
    const load = fuzzLoader(memcachedStorage({ client: memcached, keyPrefix }), { now, maxAge: MAX_AGE });
    const field = fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, pollutingJson());
    const arbitrary = fc.record({
      age: fc.integer({ min: 0, max: MAX_AGE * 1000 + 60_000 }),
      userId: fc.oneof(
        { weight: 3, arbitrary: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }) },
        field,
      ),
      data: fc.oneof(
        { weight: 4, arbitrary: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 5 }) },
        field,
      ),
      flash: fc.oneof(
        { weight: 2, arbitrary: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 2 }) },
        field,
      ),
      id: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, field, hostileString(14)),
      a: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, field),
      extra: fc.dictionary(pollutingKey, pollutingJson(), { maxKeys: 2 }),
      damage: fc.option(edits(), { freq: 4 }),
    });
    await fuzz(
      arbitrary,
      async ({ age, userId, data, flash, id, a, extra, damage }) => {
        const record = {
          ...extra,
          i: id ?? createSessionId(now - age),
          a: a ?? now - age,
          u: userId,
          d: data,
          f: flash,
        };
        let text = `j${JSON.stringify(record)}`;
        if (damage !== null) text = applyEdits(text, damage);
        text = stored(text);
        const token = createToken();
        const key = `${keyPrefix}s:${await sha256Base64url(token)}`;
        await memcached.set(key, text, { expires: 60 });
        await expectLoadedAs(load, token, expectedFromText(text), now);
      },
      { weight: STORE_WEIGHT },
    );
  });
});

/** The session a Memcached value must load as, restated from the record format; `undefined`: corrupt. */
function expectedFromText(text: string): Expected | undefined {
  const decoded = decodeStored(text);
  if (decoded === undefined || !isRecord(decoded.value)) return undefined;
  const own = (object: Record<string, unknown>, key: string) =>
    Object.hasOwn(object, key) ? object[key] : undefined;
  const record = decoded.value;
  const data = own(record, 'd');
  const flash = own(record, 'f');
  if (!isRecord(data)) return undefined;
  if (flash !== undefined && !isRecord(flash)) return undefined;
  // A damaged field name can turn into `v`, the data version: a record with
  // anything but a whole version from 1 is corrupt.
  const version = own(record, 'v');
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1))
    return undefined;
  const expected = expectedFrom(
    own(record, 'i'),
    own(record, 'a'),
    own(record, 'u'),
    new Map(Object.entries(data)),
    new Map(Object.entries(flash ?? {})),
  );
  if (expected !== undefined && version !== undefined && version !== 1) expected.version = version;
  const names = { lifetime: 'l', authenticatedAt: 't', userAgent: 'g', ip: 'p' } as const;
  return withSignIn(expected, (name) => own(record, names[name]));
}
