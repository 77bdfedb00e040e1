// Corrupt and hostile rows in the SQL stores, written straight into the
// table with SQL: damaged `data`/`flash` JSON, foreign `meta` (its l/t/g/p of
// the wrong types, huge or negative numbers, "NaN", __proto__ keys), NULLs,
// and on SQLite values of the wrong type in any column. A load gives the
// session exactly as the row holds it, or a fresh one reported through
// onInvalidSession; never a throw other than a typed one, never a polluted
// prototype. Loads carry the idle refresh (touchOnGet), so the refresh's SQL
// meets every row too. The real PostgreSQL of the global setup, and SQLite.
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTable } from '../../test/servers/isolation.ts';
import { postgresStorage } from '../entries/postgres.ts';
import { sqliteStorage } from '../entries/sqlite.ts';
import { isRecord } from '../is-object.ts';
import { isSessionLifetime } from '../lifetime.ts';
import { createdAtFromSessionId, createSessionId } from '../storage/session-id.ts';
import { postgresTableSql, sqliteTableSql } from '../storage/sql/ddl.ts';
import { resolveSqlTable } from '../storage/sql/table.ts';
import { createToken, sha256Base64url } from '../storage/store/token.ts';
import { createFuzzer, expectPrototypesIntact } from '../test-utils/fuzz.ts';
import { applyEdits, edits, hostileString, pollutingJson } from '../test-utils/hostile.ts';
import { postgresClients } from '../test-utils/sql-clients.ts';
import { expectSessionHolds, fuzzLoader, pollutingKey, storedValue } from '../test-utils/stored-fuzz.ts';

const fuzz = createFuzzer('sql');
const DAY_MS = 86_400_000;
const MAX_AGE = 14 * 86_400;
const IDLE = 14 * 86_400;
const SKEW_MS = 5_000;
const FUTURE_MS = 60_000;
const STORE_WEIGHT = 0.5;

const { pool, connected } = postgresClients();
beforeAll(() => connected);
const sqlite = new Database(':memory:');
afterAll(() => sqlite.close());

/** A member's value: what a store record holds, plus numbers JSON cannot carry. */
const memberValue = fc.oneof(
  { weight: 8, arbitrary: storedValue },
  fc.constantFrom('j"NaN"', 'jNaN', 'j1e400', 'j-1'),
);
/** The text of a `data`, `flash` or `meta` column. */
function membersText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.dictionary(pollutingKey, value, { maxKeys: 4 }).map((d) => JSON.stringify(d)),
    },
    pollutingJson().map((v) => JSON.stringify(v) ?? 'null'),
    fc
      .tuple(fc.dictionary(pollutingKey, value, { maxKeys: 4 }), edits())
      .map(([d, changes]) => applyEdits(JSON.stringify(d), changes)),
    fc.constantFrom('', '{', 'null', '[]', '"x"', '{"__proto__":{"polluted":1}}'),
  );
}
const lifetime = fc.oneof(
  fc.record(
    {
      maxAge: fc.oneof(
        fc.constantFrom(1, 60, 86_400, 30 * 86_400, 400 * 86_400, 0, -1, 1.5, 1e21, 401 * 86_400),
        fc.constantFrom('86400', null, 'NaN'),
      ),
      persistent: fc.constantFrom(false, true, 'no'),
    },
    { requiredKeys: [] },
  ),
  pollutingJson(),
);
/** A `meta` member: l/t/g/p of the right type and range, or not. */
const metaValue = fc.oneof(
  { weight: 3, arbitrary: lifetime.map((l) => `j${JSON.stringify(l)}`) },
  fc.constantFrom(0, -1, 2 ** 53, 1e300).map((t) => `j${JSON.stringify(t)}`),
  hostileString(16).map((s) => `j${JSON.stringify(s)}`),
  memberValue,
);
const metaText = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .dictionary(fc.oneof(fc.constantFrom('l', 't', 'g', 'p'), pollutingKey), metaValue, { maxKeys: 4 })
      .map((m) => JSON.stringify(m)),
  },
  membersText(metaValue),
);

const row = fc.record({
  age: fc.integer({ min: 0, max: MAX_AGE * 1000 + 60_000 }),
  /** The last activity, this long after creation (when not replaced). */
  since: fc.integer({ min: 0, max: 2 * DAY_MS }),
  id: fc.option(
    fc.oneof(
      hostileString(14),
      fc.string({ unit: fc.constantFrom(...'AZaz09-_'), minLength: 11, maxLength: 13 }),
    ),
    {
      freq: 5,
    },
  ),
  u: fc.option(hostileString(8), { freq: 2 }),
  v: fc.option(fc.constantFrom(0, 1, 2, -1, 2_147_483_647), { freq: 4 }),
  a: fc.option(fc.constantFrom(-1, 0, 2 ** 53, '9223372036854775807', 'future'), { freq: 5 }),
  d: membersText(memberValue),
  f: fc.option(membersText(memberValue), { freq: 3 }),
  m: fc.option(metaText, { freq: 2 }),
});
type Row = typeof row extends fc.Arbitrary<infer R> ? R : never;

/** A column of the wrong type, for SQLite, which stores whatever it is given. */
const oddColumn = fc.option(
  fc.record({
    column: fc.constantFrom('id', 'user_id', 'version', 'last_active_at', 'data', 'flash', 'meta'),
    value: fc.constantFrom(42, 0.5, '', 'abc', '12', ' 7', '0x10', '1e3', -0, Buffer.from('{}')),
  }),
  { freq: 3 },
);

// Storage holds UTF-8: lone surrogates come back as U+FFFD.
const stored = (text: string) => Buffer.from(text, 'utf8').toString('utf8');

interface Expected {
  id: string;
  createdAt: number;
  lastActiveAt: number;
  userId: string | undefined;
  version: number | undefined;
  end: number;
  data: Map<string, unknown>;
  flash: Map<string, unknown>;
}

/** JSON.parse(text), or `undefined` when it is not JSON. */
function parsed(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Members as the kit writes them: a JSON object of "j" + JSON strings; `undefined` otherwise. */
function members(text: unknown): Map<string, unknown> | undefined {
  const object = typeof text === 'string' ? parsed(text)?.value : undefined;
  if (!isRecord(object)) return undefined;
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(object)) {
    const decoded = typeof value === 'string' && value.startsWith('j') ? parsed(value.slice(1)) : undefined;
    if (decoded === undefined) return undefined;
    out.set(key, decoded.value);
  }
  return out;
}

/** A whole number as a driver may hand it over: a number, or (bigint) its decimal digits. */
function whole(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^-?\d+$/.test(value)
        ? Number(value)
        : Number.NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The session a row must load as, restated from the table layout; `undefined`: corrupt. */
function expectedOf(raw: Readonly<Record<string, unknown>>): Expected | undefined {
  const { i, u, v, a, d, f, m } = raw;
  if (typeof i !== 'string' || !/^[A-Za-z0-9_-]{12}$/.test(i)) return undefined;
  const createdAt = createdAtFromSessionId(i) as number;
  const lastActiveAt = whole(a);
  if (lastActiveAt === undefined || lastActiveAt < 0) return undefined;
  if (u !== null && typeof u !== 'string') return undefined;
  let version: number | undefined;
  if (v !== null) {
    version = whole(v);
    if (version === undefined || version < 1) return undefined;
  }
  const data = members(d);
  const flash = f === null ? new Map<string, unknown>() : members(f);
  if (data === undefined || flash === undefined) return undefined;
  let own: number | undefined;
  if (m !== null) {
    const meta = members(m);
    if (meta === undefined) return undefined;
    const { l, t, g, p } = Object.fromEntries(meta) as Record<string, unknown>;
    if (l !== undefined && !isSessionLifetime(l)) return undefined;
    own = (l as { maxAge?: number } | undefined)?.maxAge;
    if (t !== undefined && (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0 || t > createdAt))
      return undefined;
    if ((g !== undefined && typeof g !== 'string') || (p !== undefined && typeof p !== 'string'))
      return undefined;
  }
  const end = createdAt + (own === undefined ? MAX_AGE : own) * 1000;
  return { id: i, createdAt, lastActiveAt, userId: u ?? undefined, version, end, data, flash };
}

/** Loads `token` at `now`: the session `expected` holds, or a fresh one with the report it calls for. */
async function expectRow(
  expected: Expected | undefined,
  at: { load: ReturnType<typeof fuzzLoader>; token: string; now: number },
): Promise<void> {
  const { now } = at;
  const loaded = await at.load(at.token);
  expectPrototypesIntact();
  if (loaded === undefined) return;
  const { session, reports } = loaded;
  if (expected === undefined) {
    expect(session.isNew).toBe(true);
    expect(reports).toEqual(['invalid']);
    return;
  }
  const { createdAt, lastActiveAt, end } = expected;
  if (createdAt > now + FUTURE_MS || lastActiveAt > now + FUTURE_MS) {
    expect(reports).toEqual(['future']);
    return;
  }
  // The load's refresh (as IdleTouch describes it) moves the last activity to now when due.
  const due =
    lastActiveAt <= now - 3_600_000 &&
    lastActiveAt >= now - IDLE * 1000 - SKEW_MS &&
    Math.min(now + IDLE * 1000, end) > now;
  const last = due ? now : lastActiveAt;
  if (now > Math.min(end, last + IDLE * 1000) + SKEW_MS) {
    expect(reports).toEqual(['expired']);
    return;
  }
  if (expected.version !== undefined && expected.version !== 1) {
    expect(reports).toEqual(['version']);
    return;
  }
  expect(reports).toEqual([]);
  await expectSessionHolds(session, expected);
}

/** The columns of a generated row. */
function columnsOf(r: Row, now: number): Record<string, unknown> {
  const createdAt = now - r.age;
  const a = r.a === null ? Math.min(now, createdAt + r.since) : r.a === 'future' ? now + 2 * FUTURE_MS : r.a;
  return {
    id: stored(r.id ?? createSessionId(createdAt)),
    user_id: r.u === null ? null : stored(r.u),
    version: r.v,
    last_active_at: a,
    data: stored(r.d),
    flash: r.f === null ? null : stored(r.f),
    meta: r.m === null ? null : stored(r.m),
  };
}
const COLUMNS = ['id', 'user_id', 'version', 'last_active_at', 'data', 'flash', 'meta'] as const;
const SELECT =
  'SELECT id AS i, user_id AS u, version AS v, last_active_at AS a, data AS d, flash AS f, meta AS m';

describe('stored rows (fuzz)', () => {
  it('postgres: a damaged or hostile row loads as plain own data, or the session is fresh', async () => {
    const now = Date.now();
    const { table } = resolveSqlTable('fuzz', { table: uniqueTable('fuzz') });
    for (const ddl of postgresTableSql(table)) await pool.query(ddl);
    const load = fuzzLoader(postgresStorage({ client: pool, table: table.name }), {
      now,
      maxAge: MAX_AGE,
      idleTimeout: IDLE,
    });
    await fuzz(
      row,
      async (r) => {
        const columns = columnsOf(r, now);
        const token = createToken();
        const key = await sha256Base64url(token);
        try {
          await pool.query(
            `INSERT INTO ${table.name} (token_hash, expires_at, ${COLUMNS.join(', ')}) ` +
              'VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)',
            [key, now + 60_000, ...COLUMNS.map((c) => columns[c])],
          );
        } catch {
          return; // not something PostgreSQL stores (invalid jsonb, NUL, out of range): no such row can exist
        }
        const { rows } = await pool.query(
          `${SELECT.replace('data AS d', 'data::text AS d').replace('flash AS f', 'flash::text AS f')} ` +
            `FROM ${table.name} WHERE token_hash = $1`,
          [key],
        );
        await expectRow(expectedOf(rows[0] as Record<string, unknown>), { load, token, now });
      },
      { weight: STORE_WEIGHT },
    );
  });

  it('sqlite: a damaged or hostile row, or a value of the wrong type, loads as plain own data, or the session is fresh', async () => {
    const now = Date.now();
    const { table } = resolveSqlTable('fuzz', { table: 'fuzz' });
    for (const ddl of sqliteTableSql(table)) sqlite.exec(ddl);
    const load = fuzzLoader(sqliteStorage({ database: sqlite, table: table.name }), {
      now,
      maxAge: MAX_AGE,
      idleTimeout: IDLE,
    });
    const insert = sqlite.prepare(
      `INSERT INTO ${table.name} (token_hash, expires_at, ${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const select = sqlite.prepare(`${SELECT} FROM ${table.name} WHERE token_hash = ?`);
    await fuzz(
      fc.tuple(row, oddColumn),
      async ([r, odd]) => {
        const columns = columnsOf(r, now);
        if (odd !== null) columns[odd.column] = odd.value;
        const token = createToken();
        const key = await sha256Base64url(token);
        try {
          insert.run(key, now + 60_000, ...COLUMNS.map((c) => columns[c]));
        } catch {
          return; // NOT NULL
        }
        const raw = select.get(key) as Record<string, unknown>;
        await expectRow(expectedOf(raw), { load, token, now });
      },
      { weight: STORE_WEIGHT },
    );
  });
});
