// The engine's load fed hostile cookie jars, for every storage kind: random
// jars, and valid session cookies damaged in every way a client can. Whatever
// the input, the result is a valid session the server issued, or a fresh
// empty one (reported through onInvalidSession when a cookie was there).
// Also: oversized jars and values are refused before any crypto or store call.

import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { uniquePrefix } from '../../test/servers/isolation.ts';
import { parseProtectedHeader } from '../codec/header.ts';
import { redisStorage } from '../entries/redis.ts';
import { SessionError } from '../errors.ts';
import type { Session, SessionImpl } from '../session.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import type { SessionStorage } from '../storage/types.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { countDecryptions, createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import {
  applyJarEdits,
  applyTokenChanges,
  type Cookie,
  hostileString,
  jarEdit,
  listJar,
  tokenChange,
} from '../test-utils/hostile.ts';

const fuzz = createFuzzer('engine');
const CURRENT = 'fuzz-engine-secret-that-is-long-enough-001';
const OLDER = 'fuzz-engine-older-secret-long-enough-0002';
const OWN = /^session(?:\.(0|[1-9]\d{0,2}))?$/;
const REASONS = ['invalid', 'expired', 'future', 'unknown-key'];

const redis = new Redis(inject('servers').redis.url, { maxRetriesPerRequest: 1 });
afterAll(() => {
  redis.disconnect();
});

interface Target {
  name: string;
  storage: () => SessionStorage;
  /**
   * Other storages whose cookies get mixed into damaged jars: `accepted` when
   * this one holds their key too (an older secret), so their sessions count as its own.
   */
  foreign?: () => Array<{ storage: SessionStorage; accepted: boolean }>;
  /** Authenticated: a loaded session must be one the server saved. */
  authentic: boolean;
  weight: number;
}

const targets: Target[] = [
  {
    name: 'encrypted-cookie (node)',
    storage: () => encryptedCookieStorage({ secret: [CURRENT, OLDER] }),
    foreign: () => [
      {
        storage: encryptedCookieStorage({ secret: 'fuzz-engine-stranger-secret-long-enough-3' }),
        accepted: false,
      },
      { storage: encryptedCookieStorage({ secret: OLDER }), accepted: true },
    ],
    authentic: true,
    weight: 1,
  },
  {
    name: 'encrypted-cookie (web)',
    storage: () => encryptedCookieStorage({ secret: [CURRENT, OLDER], crypto: 'web' }),
    foreign: () => [{ storage: encryptedCookieStorage({ secret: OLDER, crypto: 'web' }), accepted: true }],
    authentic: true,
    weight: 0.5,
  },
  { name: 'simple-cookie', storage: () => simpleCookieStorage(), authentic: false, weight: 1 },
  {
    name: 'redis',
    storage: () => redisStorage({ client: redis, keyPrefix: uniquePrefix('fuzz-engine') }),
    authentic: true,
    weight: 0.5,
  },
];

type Data = Record<string, unknown>;

// Sessions to damage: small, with user and flash, with keys that try to
// reach prototypes, and large enough to be chunked.
const SESSIONS: Array<(s: Session<Data>) => void> = [
  (s) => s.set('user', 'ada'),
  (s) => {
    s.set('__proto__', { polluted: true });
    s.set('constructor', { prototype: { polluted: true } });
    s.flash('notice', 'saved');
  },
  (s) => s.set('blob', 'x'.repeat(5_000)),
  (s) => {
    s.set('blob', 'y'.repeat(11_000));
    s.set('n', 42);
  },
];

// Stores may return a record's keys in any order.
function canonical(data: Readonly<Data>): string {
  return JSON.stringify(
    Object.keys(data)
      .sort()
      .map((key) => [key, data[key]]),
  );
}

// The value a (chunked) session cookie carries.
function joined(jar: readonly Cookie[]): string {
  const index = (c: Cookie) => Number(c.name.split('.')[1] ?? 0);
  return [...jar]
    .sort((a, b) => index(a) - index(b))
    .map((c) => c.value)
    .join('');
}

function rechunk(value: string, count: number): Cookie[] {
  const size = Math.ceil(value.length / count);
  return Array.from({ length: count }, (_, i) => ({
    name: `session.${i}`,
    value: value.slice(i * size, (i + 1) * size),
  }));
}

async function makeJars(
  storage: SessionStorage,
  clock: Clock,
  userId: string | undefined,
): Promise<{ jars: Cookie[][]; known: Map<string, string> }> {
  const h = new Harness<Data>({ storage }, clock);
  const jars: Cookie[][] = [];
  const known = new Map<string, string>();
  for (const fill of SESSIONS) {
    const browser = new TestBrowser();
    await h.request(browser, async (_s, { newSession }) => {
      const s = newSession(userId);
      fill(s);
      await s.save();
      known.set(s.id, canonical(s.data));
    });
    jars.push([...browser.cookies].map(([name, value]) => ({ name, value })));
  }
  return { jars, known };
}

for (const target of targets) {
  describe(`engine load (fuzz): ${target.name}`, () => {
    const clock = new Clock(Date.now());
    const h = new Harness<Data>({ storage: target.storage() }, clock);
    let jars: Cookie[][] = [];
    let known = new Map<string, string>();
    let donors: Cookie[][] = [];

    beforeAll(async () => {
      ({ jars, known } = await makeJars(h.engine.options.storage, clock, 'user-1'));
      donors = [...jars];
      for (const { storage, accepted } of target.foreign?.() ?? []) {
        const made = await makeJars(storage, clock, undefined);
        donors.push(...made.jars);
        if (accepted) for (const [id, data] of made.known) known.set(id, data);
      }
    });

    async function expectOutcome(jar: readonly Cookie[]): Promise<void> {
      h.invalid.length = 0;
      let session: SessionImpl;
      try {
        session = await h.engine.load(listJar(jar), async () => {}, false);
      } catch (error) {
        // The one kind of throw allowed: a typed error (a store failing under load, say).
        expect(error).toBeInstanceOf(SessionError);
        return;
      }
      const reports = [...h.invalid];
      expectPrototypesIntact();
      // As Next parses a Cookie header: the last of several same-named cookies wins.
      const own = new Map(jar.filter((c) => OWN.test(c.name)).map((c) => [c.name, c.value]));
      if (session.isNew) {
        expect(Object.keys(session.data)).toEqual([]);
        expect(session.userId).toBeUndefined();
        // Reported exactly when the jar offers a value: a non-empty whole cookie or `.0`
        // (later chunks without `.0` are leftovers, never read), or a chunk past the cap.
        const cap = Math.min(h.engine.storage.maxChunks, 16);
        const offered =
          (own.get('session') ?? '') !== '' ||
          (own.get('session.0') ?? '') !== '' ||
          [...own.keys()].some((name) => Number(OWN.exec(name)?.[1] ?? -1) >= cap);
        expect(reports).toHaveLength(offered ? 1 : 0);
        for (const reason of reports) expect(REASONS).toContain(reason);
        expect(reports.length).toBeLessThanOrEqual(1);
        return;
      }
      expect(reports).toEqual([]);
      expect(session.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      for (const key of Object.keys(session.data)) expect(Object.hasOwn(session.data, key)).toBe(true);
      if (target.authentic) {
        // No forgery: only a session this server saved, with exactly its data.
        expect(known.get(session.id)).toBe(canonical(session.data));
      }
    }

    it('turns any cookie jar into a valid session or a fresh one, never a throw', async () => {
      const name = fc.oneof(
        { weight: 3, arbitrary: fc.nat(18).map((i) => `session.${i}`) },
        { weight: 3, arbitrary: fc.constant('session') },
        fc.constantFrom('session.01', 'session.999', 'session.', 'sessionx', '__proto__', 'constructor'),
        hostileString(10),
      );
      const value = fc.oneof(hostileString(80), fc.constant(''));
      const jar = fc.array(fc.record({ name, value }), { maxLength: 8 });
      await fuzz(jar, expectOutcome, { weight: target.weight });
    });

    it('loads a damaged valid cookie only if the damage left it intact', async () => {
      const arbitrary = fc.tuple(fc.nat(), fc.array(jarEdit('session'), { minLength: 1, maxLength: 3 }));
      await fuzz(
        arbitrary,
        async ([pick, changes]) => {
          const jar = applyJarEdits(jars[pick % jars.length] ?? [], changes, donors);
          await expectOutcome(jar);
        },
        { weight: target.weight },
      );
    });

    it('loads a valid cookie with a damaged token (bits, segments, kid, header) only if intact', async () => {
      const arbitrary = fc.tuple(fc.nat(), fc.array(tokenChange, { minLength: 1, maxLength: 2 }));
      await fuzz(
        arbitrary,
        async ([pick, changes]) => {
          const jar = jars[pick % jars.length] ?? [];
          const tokens = donors.map(joined);
          const kids = tokens.map((t) => parseProtectedHeader(t.split('.')[0] ?? '')?.kid ?? '');
          const token = applyTokenChanges(joined(jar), changes, tokens, kids);
          await expectOutcome(
            jar.length === 1 ? [{ name: 'session', value: token }] : rechunk(token, jar.length),
          );
        },
        { weight: target.weight },
      );
    });
  });
}

describe('engine load: oversized input is refused before any crypto or store call', () => {
  const clock = new Clock(Date.now());
  // A well-formed JWE around a ciphertext of about `size` characters, so
  // only a size check (not a format check) can keep it from AES-GCM.
  async function wellFormedToken(storage: SessionStorage, size: number): Promise<string> {
    const { jars } = await makeJars(storage, clock, undefined);
    const token = (jars[0] ?? []).map((c) => c.value).join('');
    const [header, , iv, , tag] = token.split('.');
    return `${header}..${iv}.${'A'.repeat(size)}.${tag}`;
  }

  it.each([
    ['node', 4],
    ['web', 4],
    ['node', 16],
  ] as const)(
    'encrypted-cookie (%s, maxChunks %i): 100 chunks and 1 MB values cost no decryption',
    async (crypto, maxChunks) => {
      const storage = encryptedCookieStorage({ secret: CURRENT, crypto, maxChunks });
      const h = new Harness<Data>({ storage }, clock);
      const { jars } = await makeJars(storage, clock, undefined);
      const huge = await wellFormedToken(storage, 1 << 20);
      const hundred = Array.from({ length: 100 }, (_, i) => ({
        name: `session.${i}`,
        value: 'A'.repeat(4000),
      }));
      const backendLoad = vi.spyOn(h.engine.storage, 'load');
      const decryptions = countDecryptions();
      try {
        // Baseline: a valid cookie does reach AES-GCM, so the counter works.
        const valid = await h.engine.load(listJar(jars[0] ?? []), async () => {}, false);
        expect(valid.isNew).toBe(false);
        expect(decryptions.count).toBeGreaterThanOrEqual(1);
        const afterBaseline = decryptions.count;
        backendLoad.mockClear();

        h.invalid.length = 0;
        expect((await h.engine.load(listJar(hundred), async () => {}, false)).isNew).toBe(true);
        expect(backendLoad).not.toHaveBeenCalled(); // the chunk cap refused it while reading the jar
        for (const jar of [[{ name: 'session', value: huge }], rechunk(huge, maxChunks)]) {
          expect((await h.engine.load(listJar(jar), async () => {}, false)).isNew).toBe(true);
        }
        expect(decryptions.count).toBe(afterBaseline);
        expect(h.invalid).toEqual(['invalid', 'invalid', 'invalid']);
      } finally {
        decryptions.restore();
      }
    },
  );

  it('simple-cookie: 100 chunks and 1 MB values are refused before decoding', async () => {
    const h = new Harness<Data>({ storage: simpleCookieStorage() }, clock);
    const huge = Buffer.from(`[{"blob":"${'x'.repeat(1 << 20)}"},"AZq3x0f2Kd9w"]`).toString('base64url');
    const hundred = Array.from({ length: 100 }, (_, i) => ({
      name: `session.${i}`,
      value: 'A'.repeat(4000),
    }));
    const decode = vi.spyOn(globalThis, 'atob');
    try {
      for (const jar of [hundred, [{ name: 'session', value: huge }], rechunk(huge, 4)]) {
        expect((await h.engine.load(listJar(jar), async () => {}, false)).isNew).toBe(true);
      }
      expect(decode).not.toHaveBeenCalled();
      expect(h.invalid).toEqual(['invalid', 'invalid', 'invalid']);
    } finally {
      decode.mockRestore();
    }
  });

  it('redis: 100 chunks and 1 MB values are refused without hashing or a store call', async () => {
    const h = new Harness<Data>(
      { storage: redisStorage({ client: redis, keyPrefix: uniquePrefix('fuzz-cap') }) },
      clock,
    );
    const hundred = Array.from({ length: 100 }, (_, i) => ({ name: `session.${i}`, value: 'A'.repeat(43) }));
    const lookups = vi.spyOn(redis, 'hgetall');
    const hashes = vi.spyOn(process.getBuiltinModule('node:crypto'), 'createHash');
    try {
      for (const jar of [hundred, [{ name: 'session', value: 'A'.repeat(1 << 20) }]]) {
        expect((await h.engine.load(listJar(jar), async () => {}, false)).isNew).toBe(true);
      }
      expect(lookups).not.toHaveBeenCalled();
      expect(hashes).not.toHaveBeenCalled();
      expect(h.invalid).toEqual(['invalid', 'invalid']);
    } finally {
      lookups.mockRestore();
      hashes.mockRestore();
    }
  });
});
