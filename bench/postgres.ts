// postgresStorage against raw node-postgres on a private PostgreSQL: one
// request is a load and a save of one changed key. The raw baseline is the
// least an app could do on the same table: a SELECT of the row by its key,
// then an UPDATE of that row (whole data, new expiry). Round trips are counted
// on the wire through a proxy (test/servers/pg-proxy.ts), untimed; the scale
// rows measure the kit's request as the table grows (live rows).
import pg from 'pg';
import { postgresStorage } from '../src/entries/postgres.ts';
import { postgresAdapter } from '../src/storage/postgres/adapter.ts';
import { pgRunner } from '../src/storage/postgres/client.ts';
import { resolveSqlTable } from '../src/storage/sql/table.ts';
import { Clock, CookieBrowser, KitRunner } from '../src/testing/kit-runner.ts';
import { startPgProxy } from '../test/servers/pg-proxy.ts';
import { startPostgres } from '../test/servers/postgres.ts';
import { measureInterleaved, median, pairedRatio, type RatioStats, type Schedule } from './measure.ts';

const TABLE = 'bench_sessions';
const MAX_AGE_S = 14 * 24 * 60 * 60;

/** One compared path. */
export interface PostgresRow {
  readonly path: 'raw' | 'adapter' | 'nsk';
  readonly label: string;
  readonly requestsPerSec: number;
  readonly vsRaw: RatioStats;
  /** Round trips per load and per save, counted on the wire. */
  readonly loadTrips: number;
  readonly saveTrips: number;
}

/** The kit's request rate with this many live rows in the table. */
export interface PostgresScaleRow {
  readonly rows: number;
  readonly requestsPerSec: number;
  readonly vsRaw: RatioStats;
}

export interface PostgresReport {
  readonly version: string;
  readonly rows: PostgresRow[];
  readonly scale: PostgresScaleRow[];
  readonly target: { readonly ratio: number; readonly met: boolean };
}

export interface Flow {
  load(): Promise<void>;
  save(): Promise<void>;
}

/** The least an app can do: SELECT the row, then UPDATE it whole. */
export async function rawFlow(pool: pg.Pool, key: string): Promise<Flow> {
  const now = Date.now();
  await pool.query(
    `INSERT INTO ${TABLE} (token_hash, id, last_active_at, expires_at, data) VALUES ($1, 'raw', $2, $3, $4)`,
    [key, now, now + MAX_AGE_S * 1000, JSON.stringify({ user: 'ada', count: 0 })],
  );
  let loaded: { user: string; count: number } | undefined;
  return {
    async load() {
      const { rows } = await pool.query({
        name: 'raw_get',
        text: `SELECT data FROM ${TABLE} WHERE token_hash = $1 AND expires_at > $2`,
        values: [key, Date.now()],
      });
      loaded = rows[0]?.data;
      if (loaded === undefined) throw new Error('raw baseline: row vanished');
    },
    async save() {
      if (loaded === undefined) throw new Error('raw baseline: save before load');
      loaded.count++;
      const at = Date.now();
      await pool.query({
        name: 'raw_put',
        text: `UPDATE ${TABLE} SET data = $1, last_active_at = $2, expires_at = $3 WHERE token_hash = $4`,
        values: [JSON.stringify(loaded), at, at + MAX_AGE_S * 1000, key],
      });
    },
  };
}

/**
 * The store adapter alone (its `get`, then an `update` setting one key), as
 * the kit calls it: splits the gap to raw into the SQL and the kit's own code.
 */
export async function adapterFlow(pool: pg.Pool): Promise<Flow> {
  const run = pgRunner(pool);
  if (run === undefined) throw new Error('not a pg client');
  const { table } = resolveSqlTable('bench', { table: TABLE });
  const { adapter } = postgresAdapter(run, table, { now: Date.now, createTable: true });
  const key = `adapter-${Math.random()}`;
  const now = Date.now();
  const data = { user: 'ada', count: 0 };
  await adapter.create(
    key,
    { id: 'AZq3x0f2Kd9w', data, createdAt: now, lastActiveAt: now },
    { until: now + MAX_AGE_S * 1000, expiresAt: now + MAX_AGE_S * 1000, replaces: [] },
  );
  let count = 0;
  return {
    async load() {
      const session = await adapter.get(key);
      if (!session) throw new Error('adapter: row vanished');
      count = Number(session.data.count);
    },
    async save() {
      const at = Date.now();
      const change = { replace: false, set: { count: count + 1 }, unset: [], flash: {} };
      if (!(await adapter.update(key, { ...change, lastActiveAt: at, until: at + MAX_AGE_S * 1000 }))) {
        throw new Error('adapter: update found no row');
      }
    },
  };
}

/** The whole kit request (cookie, load, set one key, save) through the public test runner. */
export async function kitFlow(pool: pg.Pool): Promise<Flow> {
  const runner = new KitRunner<{ user?: string; count?: number }>(
    { storage: postgresStorage({ client: pool, table: TABLE }), maxAge: MAX_AGE_S },
    new Clock(Date.now()),
  );
  const browser = new CookieBrowser();
  await runner.request(browser, async (s) => {
    s.set('user', 'ada');
    s.set('count', 0);
    await s.save();
  });
  let pending: (() => Promise<void>) | undefined;
  // A load and its save are one kit request; the flow splits it only to count round trips per half.
  return {
    async load() {
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let loaded: () => void = () => {};
      const isLoaded = new Promise<void>((resolve) => {
        loaded = resolve;
      });
      runner.clock.ms = Date.now();
      const done = runner.request(browser, async (s) => {
        const count = s.get('count') ?? 0;
        loaded();
        await gate;
        s.set('count', count + 1);
        await s.save();
      });
      await isLoaded;
      pending = async () => {
        release();
        await done;
      };
    },
    async save() {
      await pending?.();
      pending = undefined;
    },
  };
}

const request = (flow: Flow) => async () => {
  await flow.load();
  await flow.save();
};

async function trips(flow: Flow, proxy: { trips(): number }, n: number) {
  let load = 0;
  let save = 0;
  for (let i = 0; i < n; i++) {
    const a = proxy.trips();
    await flow.load();
    const b = proxy.trips();
    await flow.save();
    load += b - a;
    save += proxy.trips() - b;
  }
  return { loadTrips: load / n, saveTrips: save / n };
}

/** Adds live rows until the table holds `total` (other users' sessions). */
async function growTo(pool: pg.Pool, total: number): Promise<void> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${TABLE}`);
  const have = rows[0]?.n ?? 0;
  if (have >= total) return;
  await pool.query(
    `INSERT INTO ${TABLE} (token_hash, id, user_id, last_active_at, expires_at, data)
     SELECT 'fill' || g, 'x', 'user' || (g % 50000), $1::int8, $2::int8, '{"user":"j\\"someone\\"","count":"j1"}'::jsonb
     FROM generate_series($3::int, $4::int) AS g`,
    [Date.now(), Date.now() + MAX_AGE_S * 1000, have + 1, total],
  );
  await pool.query(`VACUUM ANALYZE ${TABLE}`);
}

/**
 * Starts a private PostgreSQL, measures postgresStorage against raw `pg`
 * side by side, counts round trips, measures again as the table grows to
 * each of `scale` live rows, and stops the server.
 */
export async function benchPostgres(
  schedule: Schedule,
  countedRequests: number,
  scale: readonly number[],
  log: (message: string) => void,
): Promise<PostgresReport> {
  const server = await startPostgres();
  const pools: pg.Pool[] = [];
  const pool = (port: number) => {
    const p = new pg.Pool({ host: server.host, port, user: 'postgres', database: 'postgres', max: 1 });
    p.on('error', () => {});
    pools.push(p);
    return p;
  };
  const proxy = await startPgProxy(server);
  try {
    const { rows: version } = await pool(server.port).query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    log(`postgres ${version[0]?.v} on ${server.host}:${server.port}`);
    const nsk = await kitFlow(pool(server.port)); // creates the table
    const raw = await rawFlow(pool(server.port), 'raw-key');
    const bare = await adapterFlow(pool(server.port));
    const tasks = [
      { key: 'raw', run: request(raw) },
      { key: 'adapter', run: request(bare) },
      { key: 'nsk', run: request(nsk) },
    ];
    const rates = await measureInterleaved(tasks, schedule, (round) =>
      log(`postgres round ${round + 1}/${schedule.rounds}`),
    );
    const rawRates = rates.get('raw') ?? [];
    const nskRates = rates.get('nsk') ?? [];

    log(`counting round trips over ${countedRequests} requests per path`);
    const rawTrips = await trips(await rawFlow(pool(proxy.port), 'raw-counted'), proxy, countedRequests);
    const nskTrips = await trips(await kitFlow(pool(proxy.port)), proxy, countedRequests);
    const adapterTrips = await trips(await adapterFlow(pool(proxy.port)), proxy, countedRequests);
    const adapterRates = rates.get('adapter') ?? [];

    const scaleRows: PostgresScaleRow[] = [];
    for (const total of scale) {
      log(`postgres: growing the table to ${total} live rows`);
      await growTo(pool(server.port), total);
      const grown = await measureInterleaved(tasks, schedule, () => {});
      const ours = grown.get('nsk') ?? [];
      scaleRows.push({
        rows: total,
        requestsPerSec: median(ours),
        vsRaw: pairedRatio(ours, grown.get('raw') ?? []),
      });
    }
    const vsRaw = pairedRatio(nskRates, rawRates);
    return {
      version: version[0]?.v ?? '?',
      rows: [
        {
          path: 'raw',
          label: 'raw pg: SELECT, then UPDATE of the row',
          requestsPerSec: median(rawRates),
          vsRaw: { median: 1, min: 1, max: 1 },
          ...rawTrips,
        },
        {
          path: 'adapter',
          label: 'postgresStorage’s adapter alone: get, then update of 1 key (its SQL, no kit)',
          requestsPerSec: median(adapterRates),
          vsRaw: pairedRatio(adapterRates, rawRates),
          ...adapterTrips,
        },
        {
          path: 'nsk',
          label: 'next-session-kit postgresStorage: load, set 1 key, save (whole kit request)',
          requestsPerSec: median(nskRates),
          vsRaw,
          ...nskTrips,
        },
      ],
      scale: scaleRows,
      target: { ratio: 0.8, met: vsRaw.median >= 0.8 },
    };
  } finally {
    await Promise.allSettled(pools.map((p) => p.end()));
    await proxy.close();
    await server.stop();
  }
}

/** The report as Markdown tables. */
export function postgresMarkdown(report: PostgresReport): string {
  const lines = [
    `#### PostgreSQL storage: one request = load, change one key, save (PostgreSQL ${report.version})`,
    '',
    '| path | requests/s | vs raw (median, range) | round trips: load + save |',
    '| ---- | ---------: | ---------------------- | ------------------------ |',
    ...report.rows.map(
      (row) =>
        `| ${row.label} | ${row.requestsPerSec.toFixed(0)} | ${row.vsRaw.median.toFixed(2)}× ` +
        `(${row.vsRaw.min.toFixed(2)}–${row.vsRaw.max.toFixed(2)}) | ${row.loadTrips} + ${row.saveTrips} |`,
    ),
    '',
    `Target: postgresStorage ≥ ${report.target.ratio}× raw pg: ${report.target.met ? 'met' : 'MISSED'}.`,
  ];
  if (report.scale.length > 0) {
    lines.push(
      '',
      '| live rows in the table | kit requests/s | vs raw (median, range) |',
      '| ---------------------: | -------------: | ---------------------- |',
      ...report.scale.map(
        (row) =>
          `| ${row.rows.toLocaleString('en-US')} | ${row.requestsPerSec.toFixed(0)} | ` +
          `${row.vsRaw.median.toFixed(2)}× (${row.vsRaw.min.toFixed(2)}–${row.vsRaw.max.toFixed(2)}) |`,
      ),
    );
  }
  return lines.join('\n');
}
