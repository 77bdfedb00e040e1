// Hostile input for `migrateFrom`: iron-session seals and Auth.js session
// cookies made by the real libraries, damaged in every way a client can
// (bits, segments, kid and header swaps, chunks dropped, reordered and
// transplanted), random values under their names, authentic seals around
// hostile JSON, and kit cookies next to them. Whatever the input: a session
// carried over from an authentic old cookie, or a fresh one with exactly one
// report naming the source; never a throw, never a polluted prototype, and
// never the old cookie while the request carries a kit cookie of its own.

import fc from 'fast-check';
import { sealData } from 'iron-session';
import { beforeAll, describe, expect, it } from 'vitest';
import { readChunkedCookie } from '../cookie/chunks.ts';
import { SessionEngine } from '../engine.ts';
import { authjsSession } from '../migrate/authjs.ts';
import { ironSession } from '../migrate/iron-session.ts';
import type { MigrationSource } from '../migrate/types.ts';
import type { SessionImpl } from '../session.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { authjsSignIn } from '../test-utils/authjs.ts';
import { createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import {
  applyEdits,
  applyJarEdits,
  applyTokenChanges,
  type Cookie,
  edits,
  hostileString,
  jarEdit,
  listJar,
  pollutingJson,
  tokenChange,
} from '../test-utils/hostile.ts';
import type { InvalidSessionDetail, InvalidSessionReason } from '../types.ts';

const fuzz = createFuzzer('migrate');
const PASSWORD = 'fuzz-iron-password-of-at-least-32-chars-01';
const OLD_PASSWORD = 'fuzz-iron-older-password-at-least-32-chars';
const AUTH_SECRET = 'fuzz-auth-secret-that-is-long-enough-0001';
const IRON = 'iron-app';
const SECURE = '__Secure-authjs.session-token';
const REASONS: InvalidSessionReason[] = ['invalid', 'expired', 'unknown-key'];

type Data = Record<string, unknown>;
type Outcome =
  | { kind: 'carried'; userId: string | undefined; data: string }
  | { kind: 'fresh'; reports: Array<[InvalidSessionReason, InvalidSessionDetail | undefined]> };

function engineFor(source: MigrationSource) {
  const reports: Array<[InvalidSessionReason, InvalidSessionDetail | undefined]> = [];
  const engine = new SessionEngine({
    storage: encryptedCookieStorage({ secret: 'fuzz-migrate-kit-secret-long-enough-0001' }),
    onInvalidSession: (reason, detail) => reports.push([reason, detail]),
    migrateFrom: source,
  });
  return {
    engine,
    async load(jar: readonly Cookie[], secure = true): Promise<Outcome> {
      reports.length = 0;
      const session: SessionImpl = await engine.load(listJar(jar), async () => {}, secure);
      expectPrototypesIntact();
      if (session.isNew) {
        expect(Object.keys(session.data)).toEqual([]);
        expect(session.userId).toBeUndefined();
        return { kind: 'fresh', reports: [...reports] };
      }
      expect(reports).toEqual([]);
      for (const key of Object.keys(session.data)) expect(Object.hasOwn(session.data, key)).toBe(true);
      return { kind: 'carried', userId: session.userId, data: canonical(session.data) };
    },
  };
}

function canonical(data: Readonly<Data>): string {
  return JSON.stringify(
    Object.keys(data)
      .sort()
      .map((key) => [key, data[key]]),
  );
}

/**
 * A fresh session with exactly one report, from `source`, for a known reason;
 * none when the jar offered no value (an empty cookie, a chunk without `.0`).
 */
function expectRefused(outcome: Outcome, source: string, offered = true): void {
  expect(outcome.kind).toBe('fresh');
  if (outcome.kind !== 'fresh') return;
  expect(outcome.reports).toHaveLength(offered ? 1 : 0);
  for (const [reason, detail] of outcome.reports) {
    expect([...REASONS, 'migration']).toContain(reason);
    expect(detail).toEqual({ source });
  }
}

describe('iron-session cookies (fuzz)', () => {
  const iron = engineFor(
    ironSession({
      password: { 1: OLD_PASSWORD, 2: PASSWORD },
      cookieName: IRON,
      userId: (data) => (typeof data.userId === 'string' ? data.userId : undefined),
    }),
  );
  // Authentic seals: by the current password, by the older one still listed.
  const known = new Map<string, string>();
  let seals: string[] = [];

  beforeAll(async () => {
    const sessions: Data[] = [
      { userId: 'u-1', name: 'ada' },
      { userId: 'u-2', cart: ['tea', 'milk'], nested: { deep: [1, 2, 3] } },
      { userId: 'u-3', blob: 'z'.repeat(1500) },
    ];
    seals = await Promise.all([
      ...sessions.map((data) => sealData(data, { password: { 2: PASSWORD } })),
      sealData(sessions[0], { password: { 1: OLD_PASSWORD } }),
    ]);
    for (const data of sessions) known.set(String(data.userId), canonical(data));
  });

  function expectOutcome(outcome: Outcome, value: string): void {
    // No forgery: only what an authentic seal held, for the user it named.
    if (outcome.kind === 'fresh') expectRefused(outcome, 'iron-session', value !== '');
    else expect(known.get(String(outcome.userId))).toBe(outcome.data);
  }

  it('a damaged seal is carried over only if the damage left it intact', async () => {
    const arbitrary = fc.tuple(fc.nat(), edits());
    await fuzz(arbitrary, async ([pick, changes]) => {
      const original = seals[pick % seals.length] ?? '';
      const value = applyEdits(original, changes);
      const outcome = await iron.load([{ name: IRON, value }]);
      expectOutcome(outcome, value);
      if (value !== original) expect(outcome.kind).toBe('fresh');
      if (value === original) expect(outcome.kind).toBe('carried');
    });
  });

  it('any value, or a seal-shaped one, under the iron cookie name is refused, never thrown', async () => {
    const sealLike = fc
      .array(
        fc.oneof(
          hostileString(12),
          fc.constantFrom('', '1', '2', '0', 'default', '__proto__', '9999999999999'),
        ),
        {
          minLength: 6,
          maxLength: 9,
        },
      )
      .map((parts) => `Fe26.2*${parts.join('*')}~2`);
    await fuzz(fc.oneof(hostileString(200), sealLike), async (value) => {
      expectRefused(await iron.load([{ name: IRON, value }]), 'iron-session', value !== '');
    });
  });

  it('an authentic seal around any JSON: carried over as plain data, prototypes untouched', async () => {
    await fuzz(
      pollutingJson(),
      async (json) => {
        const outcome = await iron.load([
          { name: IRON, value: await sealData(json, { password: { 2: PASSWORD } }) },
        ]);
        const plain = typeof json === 'object' && json !== null && !Array.isArray(json);
        // As the source's `userId` option reads it: a string, else no user.
        const raw = plain ? Object.getOwnPropertyDescriptor(json, 'userId')?.value : undefined;
        const userId = typeof raw === 'string' ? raw : undefined;
        const empty = plain && Object.keys(json).length === 0;
        if (plain && !empty && userId !== '') {
          expect(outcome).toEqual({ kind: 'carried', userId, data: canonical(json as Data) });
        } else {
          expect(outcome.kind).toBe('fresh');
        }
      },
      { weight: 0.5 },
    );
  });

  it('never read while the request carries a kit cookie, whatever that cookie is', async () => {
    const kitCookie = fc.record({
      name: fc.oneof(
        fc.constant('__Host-session'),
        fc.nat(3).map((i) => `__Host-session.${i}`),
      ),
      value: fc.oneof(hostileString(40), fc.constant('')),
    });
    await fuzz(
      fc.tuple(fc.array(kitCookie, { minLength: 1, maxLength: 4 }), fc.nat()),
      async ([jar, pick]) => {
        const seal = seals[pick % seals.length] ?? '';
        const outcome = await iron.load([...jar, { name: IRON, value: seal }]);
        const kit = readChunkedCookie(listJar(jar), '__Host-session', 4);
        if (kit.status === 'absent') expect(outcome.kind).toBe('carried');
        else {
          expect(outcome.kind).toBe('fresh');
          if (outcome.kind === 'fresh')
            expect(outcome.reports.map(([, detail]) => detail)).toEqual([undefined]);
        }
      },
    );
  });
});

describe('Auth.js session cookies (fuzz)', () => {
  const authjs = engineFor(authjsSession({ secret: AUTH_SECRET, map: (token) => ({ name: token.name }) }));
  const known = new Map<string, string>();
  let jars: Cookie[][] = [];
  let tokens: string[] = [];
  let kids: string[] = [];

  beforeAll(async () => {
    const signIns = await Promise.all([
      authjsSignIn({ secret: AUTH_SECRET, name: 'ada', id: 'u-1' }),
      authjsSignIn({ secret: AUTH_SECRET, name: 'grace', id: 'u-2', claims: { big: 'q'.repeat(5000) } }),
      authjsSignIn({ secret: AUTH_SECRET, name: 'linus', id: 'u-3', claims: { big: 'w'.repeat(9000) } }),
      // Valid for another app only: its chunks and kid are donors, never accepted.
      authjsSignIn({ secret: 'fuzz-auth-stranger-secret-long-enough-09', name: 'eve', id: 'u-9' }),
    ]);
    jars = signIns.map((s) => Object.entries(s.cookies).map(([name, value]) => ({ name, value })));
    tokens = jars.map((jar) => jar.map((c) => c.value).join(''));
    kids = tokens.map((token) => {
      const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'));
      return String(header.kid);
    });
    for (const [id, name] of [
      ['u-1', 'ada'],
      ['u-2', 'grace'],
      ['u-3', 'linus'],
    ]) {
      known.set(String(id), canonical({ name }));
    }
  });

  function expectOutcome(outcome: Outcome, jar: readonly Cookie[]): void {
    const offered = readChunkedCookie(listJar(jar), SECURE, 8).status !== 'absent';
    if (outcome.kind === 'fresh') expectRefused(outcome, 'authjs', offered);
    else expect(known.get(String(outcome.userId))).toBe(outcome.data);
  }

  it('a damaged chunk jar is carried over only as one of the authentic sessions', async () => {
    const arbitrary = fc.tuple(fc.nat(2), fc.array(jarEdit(SECURE), { minLength: 1, maxLength: 3 }));
    await fuzz(arbitrary, async ([pick, changes]) => {
      const jar = applyJarEdits(jars[pick] ?? [], changes, jars);
      expectOutcome(await authjs.load(jar), jar);
    });
  });

  it('a damaged token (bits, segments, kid, header) is carried over only if intact', async () => {
    const arbitrary = fc.tuple(fc.nat(2), fc.array(tokenChange, { minLength: 1, maxLength: 2 }));
    await fuzz(arbitrary, async ([pick, changes]) => {
      const original = tokens[pick] ?? '';
      const token = applyTokenChanges(original, changes, tokens, kids);
      const jar = [{ name: SECURE, value: token }];
      const outcome = await authjs.load(jar);
      expectOutcome(outcome, jar);
      if (token === original) expect(outcome.kind).toBe('carried');
    });
  });

  it('any value under the Auth.js cookie names is refused, never thrown', async () => {
    const name = fc.oneof(
      fc.constant(SECURE),
      fc.nat(20).map((i) => `${SECURE}.${i}`),
      fc.constantFrom(`${SECURE}.01`, `${SECURE}.`, `${SECURE}x`, 'authjs.session-token'),
    );
    const jar = fc.array(fc.record({ name, value: fc.oneof(hostileString(120), fc.constant('')) }), {
      maxLength: 6,
    });
    await fuzz(jar, async (cookies) => {
      const outcome = await authjs.load(cookies);
      expect(outcome.kind).toBe('fresh');
      expectOutcome(outcome, cookies);
    });
  });
});
