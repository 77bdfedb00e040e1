// The idle refresh a SQL store does inside the load (touchOnGet), row by row:
// the new expiry is the kit's (IdleTouch.untilFor: the earlier of the idle end
// and the session's absolute end, under its own maxAge when it has one, as on
// Redis), a load that is not due writes nothing (PostgreSQL: the row's xmin
// stays), and a row the refresh must not revive or cannot date is left alone.
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { uniqueTable } from '../../../test/servers/isolation.ts';
import { postgresClients } from '../../test-utils/sql-clients.ts';
import { postgresAdapter } from '../postgres/adapter.ts';
import { pgRunner } from '../postgres/client.ts';
import { createdAtFromSessionId, createSessionId } from '../session-id.ts';
import { sqliteAdapter } from '../sqlite/adapter.ts';
import type { IdleTouch, StoreAdapter, StoredSession } from '../store/adapter.ts';
import { resolveSqlTable } from './table.ts';

const { pool, connected, sql } = postgresClients();
beforeAll(() => connected);

const DAY = 86_400_000;
const HOUR = 3_600_000;

// What bindStore hands a store for a kit with maxAge `kitMaxAge` (ms), idleTimeout 1 day, touchAfter 1 hour.
function touchAt(now: number, kitMaxAge: number): IdleTouch {
  const idleUntil = now + DAY;
  return {
    lastActiveAt: now,
    dueBy: now - HOUR,
    aliveSince: now - DAY - 60_000,
    idleUntil,
    maxAge: kitMaxAge,
    untilFor: (session) => {
      const createdAt = createdAtFromSessionId(session.id);
      const own = session.lifetime?.maxAge;
      return createdAt === undefined
        ? now
        : Math.min(idleUntil, createdAt + (own === undefined ? kitMaxAge : own * 1000));
    },
  };
}

interface Target {
  name: string;
  make(now: () => number): {
    adapter: StoreAdapter;
    row(key: string): Promise<Row | undefined>;
    exec(sql: string, key: string): Promise<void>;
  };
}
interface Row {
  lastActiveAt: number;
  expiresAt: number;
  /** Changes with every write of the row (PostgreSQL's xmin; SQLite: the two times). */
  version: string;
}

const postgresTargets: Target[] = (
  [
    ['pg Pool', pool],
    ['postgres.js', sql],
  ] as const
).map(([name, client]) => ({
  name: `postgres (${name})`,
  make(now) {
    const { table } = resolveSqlTable('test', { table: uniqueTable('touch') });
    const run = pgRunner(client);
    if (run === undefined) throw new Error('not a client');
    const { adapter } = postgresAdapter(run, table, { now, createTable: true });
    return {
      adapter,
      async row(key) {
        const { rows } = await pool.query<{ a: string; e: string; x: string }>(
          `SELECT last_active_at AS a, expires_at AS e, xmin::text AS x FROM ${table.name} WHERE token_hash = $1`,
          [key],
        );
        const r = rows[0];
        return r === undefined
          ? undefined
          : { lastActiveAt: Number(r.a), expiresAt: Number(r.e), version: r.x };
      },
      async exec(text, key) {
        await pool.query(text.replaceAll('$table', table.name), [key]);
      },
    };
  },
}));

const sqliteTarget: Target = {
  name: 'sqlite',
  make(now) {
    const database = new Database(':memory:');
    const { table } = resolveSqlTable('test', { table: 'touch' });
    const { adapter } = sqliteAdapter(database, table, { now, createTable: true });
    return {
      adapter,
      async row(key) {
        const r = database
          .prepare(`SELECT last_active_at AS a, expires_at AS e FROM touch WHERE token_hash = ?`)
          .get(key) as { a: number; e: number } | undefined;
        return r === undefined ? undefined : { lastActiveAt: r.a, expiresAt: r.e, version: `${r.a}/${r.e}` };
      },
      async exec(text, key) {
        database.prepare(text.replaceAll('$table', 'touch').replaceAll('$1', '?')).run(key);
      },
    };
  },
};

describe.each([...postgresTargets, sqliteTarget])('touchOnGet: $name', (target) => {
  const now = Date.now();
  const createdAt = now - 2.9 * DAY;

  async function stored(lifetime?: StoredSession['lifetime'], lastActiveAt = now - 2 * HOUR) {
    const store = target.make(() => now);
    const session: StoredSession = {
      id: createSessionId(createdAt),
      data: { user: 'ada' },
      createdAt,
      lastActiveAt,
      authenticatedAt: createdAt,
      userAgent: 'Firefox "quoted" \\"l\\":\\"j{\\\\"maxAge\\\\":9}',
      ...(lifetime !== undefined && { lifetime }),
    };
    const key = `k${Math.random().toString(36).slice(2)}`;
    await store.adapter.create(key, session, { until: now + HOUR, expiresAt: now + HOUR, replaces: [] });
    return { ...store, key };
  }

  it('declares touchOnGet', () => {
    expect(target.make(() => now).adapter.capabilities?.touchOnGet).toBe(true);
  });

  for (const [label, lifetime, kitDays, end] of [
    ['no own lifetime: capped at the kit maxAge', undefined, 3, createdAt + 3 * DAY],
    ['own maxAge, longer: the idle end, before its own 10-day end', { maxAge: 10 * 86_400 }, 3, now + DAY],
    ['own maxAge, shorter: capped at its own 3-day end', { maxAge: 3 * 86_400 }, 10, createdAt + 3 * DAY],
    ['own maxAge with persistent: false', { maxAge: 10 * 86_400, persistent: false as const }, 3, now + DAY],
    ['persistent: false alone: the kit maxAge', { persistent: false as const }, 3, createdAt + 3 * DAY],
  ] as const) {
    it(label, async () => {
      const { adapter, key, row } = await stored(lifetime);
      const loaded = await adapter.get(key, touchAt(now, kitDays * DAY));
      expect(loaded?.lastActiveAt).toBe(now);
      expect(loaded?.data).toEqual({ user: 'ada' });
      expect(await row(key)).toMatchObject({ lastActiveAt: now, expiresAt: end });
    });
  }

  it('a load that is not due writes nothing and returns the row as it is', async () => {
    const { adapter, key, row } = await stored(undefined, now - HOUR / 2);
    const before = await row(key);
    const loaded = await adapter.get(key, touchAt(now, 3 * DAY));
    expect(loaded?.lastActiveAt).toBe(now - HOUR / 2);
    expect(await row(key)).toEqual(before);
  });

  it('a session idle past aliveSince is not revived', async () => {
    const { adapter, key, row } = await stored(undefined, now - DAY - 120_000);
    const before = await row(key);
    const loaded = await adapter.get(key, touchAt(now, 3 * DAY));
    expect(loaded?.lastActiveAt).toBe(now - DAY - 120_000);
    expect(await row(key)).toEqual(before);
  });

  it('a session past its absolute end is not refreshed', async () => {
    const { adapter, key, row } = await stored({ maxAge: 2 * 86_400 });
    const before = await row(key);
    const loaded = await adapter.get(key, touchAt(now, 3 * DAY));
    expect(loaded?.lastActiveAt).toBe(now - 2 * HOUR);
    expect(await row(key)).toEqual(before);
  });

  it('a row whose id dates nothing is read, not refreshed', async () => {
    const { adapter, key, row, exec } = await stored();
    await exec(`UPDATE $table SET id = 'not an id!' WHERE token_hash = $1`, key);
    const before = await row(key);
    const loaded = await adapter.get(key, touchAt(now, 3 * DAY));
    expect(loaded?.id).toBe('not an id!');
    expect(await row(key)).toEqual(before);
  });
});
