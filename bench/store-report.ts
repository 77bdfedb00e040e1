import { type HostLoad, hostLoadText } from './host-load.ts';
import { type KitSource, kitNote } from './kit.ts';
import type { RatioStats, Schedule } from './measure.ts';
import type { Payload } from './payloads.ts';
import { type Check, count, markdownChecks, ops, percent, ratio } from './report.ts';
import type { StorePathId } from './store-paths.ts';

/** Round trips of one request half over the counted requests. */
export interface Trips {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** Counted, not assumed: per request, over a pass of `requests` awaited one by one. */
export interface StoreCounts {
  readonly requests: number;
  readonly loadTrips: Trips;
  readonly saveTrips: Trips;
  /** Commands the client sent, by name (counted in ioredis' `sendCommand`). */
  readonly sent: Readonly<Record<string, number>>;
  /** Commands Redis ran, by name (`INFO commandstats` deltas; includes calls made inside scripts). */
  readonly executed: Readonly<Record<string, number>>;
  /** CPU time (user + system) of the bench process per request, µs. */
  readonly nodeCpuMicros: number;
  /** CPU time of redis-server per request (`INFO cpu` deltas), µs. */
  readonly redisCpuMicros: number;
}

export interface StoreRow {
  readonly path: StorePathId;
  readonly label: string;
  /** Median requests/s over the rounds. */
  readonly requestsPerSec: number;
  readonly perRound: readonly number[];
  readonly spread: number;
  /** Per-round ratio to the raw ioredis baseline. */
  readonly vsRaw: RatioStats;
  readonly counts: StoreCounts;
  /** Socket writes per request over the whole timed run: must agree with the counted pass. */
  readonly roundTripsTimed: number;
}

export interface StorePayloadReport {
  readonly id: Payload['id'];
  readonly label: string;
  /** UTF-8 bytes of the stored session's JSON (the bench payload plus `count`). */
  readonly jsonBytes: number;
  readonly rows: readonly StoreRow[];
}

export interface StoreReport {
  readonly redisVersion: string;
  /** Compiled like the package, or the sources through tsx. */
  readonly kit: KitSource;
  readonly schedule: Schedule;
  /** Bench process CPU time / wall time during the store rounds (it mostly waits on Redis). */
  readonly cpuShare: number;
  readonly payloads: readonly StorePayloadReport[];
  readonly checks: readonly Check[];
  /** Measured with `--busy`: the other core(s) kept loaded by the bench itself. */
  readonly busy?: { readonly workers: number; readonly hostLoad: HostLoad } | undefined;
}

/** vs raw ioredis: redisStorage alone, and the full engine request (cookie read, session object, save). */
const MIN_VS_RAW = { storage: { quiet: 0.8, busy: 0.75 }, engine: { quiet: 0.85, busy: 0.75 } } as const;
const TRIPS_PER_HALF = 1;

function tripsCheck(name: string, trips: Trips): Check {
  const pass = trips.mean === TRIPS_PER_HALF && trips.min === TRIPS_PER_HALF && trips.max === TRIPS_PER_HALF;
  const range = [trips.min, trips.max] as const;
  return {
    name,
    actual: trips.mean,
    comparison: '=',
    limit: TRIPS_PER_HALF,
    unit: 'round trips',
    range,
    pass,
  };
}

export function storeChecks(reports: readonly StorePayloadReport[], busy = false): Check[] {
  const checks: Check[] = [];
  for (const report of reports) {
    for (const row of report.rows) {
      if (row.path === 'raw' || row.path === 'raw-kit-commands') continue;
      const what = `${report.label} ${row.path === 'nsk-storage' ? 'redisStorage' : 'engine request'}`;
      const { median: actual, min, max } = row.vsRaw;
      const limits = row.path === 'nsk-storage' ? MIN_VS_RAW.storage : MIN_VS_RAW.engine;
      const limit = busy ? limits.busy : limits.quiet;
      checks.push({
        name: `${what} load+save vs raw ioredis${busy ? ' (busy host)' : ''}`,
        actual,
        comparison: '>=',
        limit,
        unit: '×',
        range: [min, max],
        pass: actual >= limit,
      });
      checks.push(tripsCheck(`${what} round trips per load`, row.counts.loadTrips));
      checks.push(tripsCheck(`${what} round trips per save`, row.counts.saveTrips));
    }
  }
  return checks;
}

/** `HGETALL 1, EVALSHA 1`, largest first. */
function commandList(perRequest: Readonly<Record<string, number>>): string {
  return Object.entries(perRequest)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, calls]) => `${name.toUpperCase()} ${count(calls)}`)
    .join(', ');
}

const total = (perRequest: Readonly<Record<string, number>>): number =>
  Object.values(perRequest).reduce((sum, calls) => sum + calls, 0);

function tableFor(report: StorePayloadReport): string {
  const lines = [
    `**${report.label}, stored as ${report.jsonBytes} B JSON**`,
    '',
    '| Request path | requests/s | vs raw | round trips (load + save) | commands sent | commands Redis ran (incl. inside scripts) | CPU µs / request (Node + Redis) |',
    '| --- | --: | --: | --: | --- | --- | --: |',
  ];
  for (const row of report.rows) {
    const { loadTrips, saveTrips, sent, executed, nodeCpuMicros, redisCpuMicros } = row.counts;
    const cells = [
      row.path === 'nsk-storage' ? `**${row.label}**` : row.label,
      ops(row.requestsPerSec),
      ratio(row.vsRaw.median),
      `${count(loadTrips.mean + saveTrips.mean)} (${count(loadTrips.mean)} + ${count(saveTrips.mean)})`,
      `${count(total(sent))}: ${commandList(sent)}`,
      `${count(total(executed))}: ${commandList(executed)}`,
      `${nodeCpuMicros.toFixed(0)} + ${redisCpuMicros.toFixed(0)}`,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The store tables plus a footnote on how they were measured and counted. */
export function storeTables(report: StoreReport, node: string, cpu: string): string {
  const { schedule } = report;
  const counted = report.payloads[0]?.rows[0]?.counts.requests ?? 0;
  const footnote =
    `One request = load then save, awaited one after the other, ${kitNote(report.kit)}, ` +
    'each path on its own ioredis connection ' +
    `(same options) to a local redis-server ${report.redisVersion} (loopback, no persistence) started by the bench. ` +
    `Median of ${schedule.rounds} rounds of ~${schedule.msPerRound} ms per path in ${schedule.slicesPerRound} ` +
    'interleaved slices; ratios are medians of per-round ratios. Round trips = `write` calls on the socket ' +
    `(a pipeline is one), commands = ioredis \`sendCommand\` calls and \`INFO commandstats\` deltas, all counted over ` +
    `${counted} further requests per path and divided by that number, as is the CPU time of both processes ` +
    `(\`process.cpuUsage\`, \`INFO cpu\`). Node ${node}, ${cpu}; ` +
    `bench process CPU time / wall time ${percent(report.cpuShare)} (the rest is waiting on Redis).` +
    (report.busy === undefined
      ? ''
      : ` **Busy host (\`--busy\`):** ${report.busy.workers} process(es) of the bench kept the other core(s) ` +
        `busy (JSON and SHA-256 in a loop) throughout; ${hostLoadText(report.busy.hostLoad)}.`);
  return [...report.payloads.map(tableFor), `_${footnote}_`].join('\n\n');
}

export function storeMarkdown(report: StoreReport, node: string, cpu: string): string {
  return `# Store benchmark (Redis)\n\n${storeTables(report, node, cpu)}\n\n## Store targets\n\n${markdownChecks(report.checks)}\n`;
}
