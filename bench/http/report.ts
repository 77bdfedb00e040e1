import { type HostLoad, hostLoadText } from '../host-load.ts';
import { median, type RatioStats } from '../measure.ts';
import type { LoadPlan, VariantStats } from './load.ts';
import type { KeyScaleRow } from './scale.ts';
import type { StoreTrips } from './trips.ts';
import { partnersOf, type Variant } from './variants.ts';

export interface Environment {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  /** 1-minute load average when the run started: above ~0.5 the host was not quiet. */
  readonly loadAverage: number;
  readonly versions: Record<string, string>;
  readonly redis: string;
  /** `taskset` CPU lists, when pinned. */
  readonly pinned: { server: string; generator: string } | null;
  /** What else ran on the host during the measured rounds. */
  readonly hostLoad?: HostLoad;
}

export interface VariantRow {
  readonly id: string;
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly size: string;
  readonly server: string;
  readonly payloadBytes: number;
  /** Length of the Cookie header sent, and how many cookies it holds. */
  readonly cookieBytes: number;
  readonly cookieCount: number;
  readonly requestsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly serverCpuMicros: number;
  /** Against its own baseline (back to back). */
  readonly vsBaseline?: RatioStats;
  /** Against iron-session's same operation (back to back for the kit's rows, through the baselines otherwise). */
  readonly vsIron?: RatioStats;
  /**
   * Against other variants of the run, by id: req/s over theirs, and (`cpu`)
   * their server CPU µs per request over this one's; `direct` when the two
   * ran as a pair, else through one variant between.
   */
  readonly vs: Readonly<Record<string, VsStats>>;
  /** The variants it ran right beside (its baseline first). */
  readonly partners: readonly string[];
  readonly perRound: number[];
}

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface HttpReport {
  readonly generatedAt: string;
  readonly mode: 'full' | 'check';
  readonly environment: Environment;
  readonly plan: LoadPlan;
  readonly durationSeconds: number;
  /** Median over runs of the load generator's CPU time / wall time. */
  readonly generatorCpuShare: number;
  readonly variants: VariantRow[];
  /** Round trips per request at the store, for the variants that use one. */
  readonly trips: StoreTrips[];
  readonly keyScale: KeyScaleRow[];
  readonly checks: Check[];
}

/** A ratio against another variant, by req/s and by server CPU per request. */
export interface VsStats extends RatioStats {
  readonly direct: boolean;
  readonly cpu?: RatioStats;
}

function ratioStats(values: readonly number[]): RatioStats | undefined {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Per round, req/s of `from` over req/s of `to`: straight from their pair
 * when they ran as one, else the product of two pairs' ratios through a
 * variant both ran next to in the same round (e.g. a write against the
 * no-session baseline, through the no-library write).
 */
export function ratioBetween(
  stats: ReadonlyMap<string, VariantStats>,
  from: string,
  to: string,
  field: 'ratios' | 'cpuRatios' = 'ratios',
): { values: number[]; direct: boolean } | undefined {
  const edge = (a: string, b: string): number[] | undefined => {
    const forward = stats.get(a)?.[field][b];
    if (forward !== undefined) return forward;
    return stats.get(b)?.[field][a]?.map((r) => 1 / r);
  };
  const direct = edge(from, to);
  if (direct !== undefined) return { values: direct, direct: true };
  for (const middle of stats.keys()) {
    if (middle === from || middle === to) continue;
    const first = edge(from, middle);
    const second = first === undefined ? undefined : edge(middle, to);
    if (first !== undefined && second !== undefined && first.length === second.length) {
      return { values: first.map((r, i) => r * (second[i] ?? Number.NaN)), direct: false };
    }
  }
  return undefined;
}

/** The variants every row is compared with where the run has them. */
const REFERENCES = ['baseline', 'baseline-write', 'iron', 'iron-write', 'guard-off', 'proxy-noop'];

export function variantRows(
  variants: readonly Variant[],
  stats: ReadonlyMap<string, VariantStats>,
  payloadBytes: (size: Variant['size']) => number,
): VariantRow[] {
  return variants.map((variant): VariantRow => {
    const s = stats.get(variant.id);
    if (s === undefined) throw new Error(`no figures for ${variant.id}`);
    const vs: Record<string, VsStats> = {};
    for (const ref of new Set([...partnersOf(variant), ...REFERENCES])) {
      if (ref === variant.id || !stats.has(ref)) continue;
      const found = ratioBetween(stats, variant.id, ref);
      const ratio = found === undefined ? undefined : ratioStats(found.values);
      const byCpu = ratioBetween(stats, variant.id, ref, 'cpuRatios');
      const cpu = byCpu === undefined ? undefined : ratioStats(byCpu.values);
      if (found !== undefined && ratio !== undefined)
        vs[ref] = { ...ratio, direct: found.direct, ...(cpu === undefined ? {} : { cpu }) };
    }
    // Reads against iron-session's read, writes against its read + write.
    const iron = variant.method === 'POST' ? vs['iron-write'] : vs.iron;
    const vsBaseline = variant.baseline === undefined ? undefined : vs[variant.baseline];
    const cookie = variant.headers.cookie ?? '';
    return {
      id: variant.id,
      label: variant.label,
      method: variant.method,
      path: variant.path,
      size: variant.size,
      server: variant.server ?? 'main',
      payloadBytes: payloadBytes(variant.size),
      cookieBytes: cookie.length,
      cookieCount: cookie === '' ? 0 : cookie.split('; ').length,
      requestsPerSec: s.requestsPerSec,
      p50: s.p50,
      p99: s.p99,
      serverCpuMicros: s.serverCpuMicros,
      perRound: s.runs.map((run) => run.requestsPerSec),
      vs,
      partners: partnersOf(variant).filter((id) => stats.has(id)),
      ...(vsBaseline === undefined ? {} : { vsBaseline }),
      ...(iron === undefined || variant.size !== '1KB' ? {} : { vsIron: iron }),
    };
  });
}

const find = (rows: readonly VariantRow[], id: string): VariantRow | undefined =>
  rows.find((r) => r.id === id);

function ratioCheck(
  rows: readonly VariantRow[],
  id: string,
  against: string,
  min: number,
  what: string,
): Check | undefined {
  const ratio = find(rows, id)?.vs[against];
  if (ratio === undefined) return undefined;
  return {
    name: `${what} ≥ ${min}×`,
    ok: ratio.median >= min,
    detail: `${ratio.median.toFixed(3)}× (rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}${ratio.direct ? '' : ', through the baselines'})`,
  };
}

/** The targets of issue 17, from this run's own ratios and counts. */
export function targetChecks(rows: readonly VariantRow[], trips: readonly StoreTrips[]): Check[] {
  const checks = [
    ratioCheck(rows, 'nsk', 'baseline', 0.95, 'encrypted-cookie read vs the no-session baseline'),
    ratioCheck(
      rows,
      'nsk-write',
      'baseline-write',
      0.95,
      'encrypted-cookie read + write vs the same cookie written without a library',
    ),
    ratioCheck(rows, 'guard', 'proxy-noop', 0.9, 'the guard vs a no-op proxy.ts (its floor)'),
    ratioCheck(rows, 'redis', 'baseline-redis', 0.8, 'Redis read vs the no-session baseline'),
  ].filter((check): check is Check => check !== undefined);
  const nsk = find(rows, 'nsk');
  if (nsk?.vsIron !== undefined) {
    checks.push({
      name: 'encrypted-cookie read beats iron-session',
      ok: nsk.vsIron.median > 1,
      detail: `${nsk.vsIron.median.toFixed(2)}× iron-session's req/s`,
    });
  }
  for (const count of trips) {
    if (!count.id.startsWith('guard-session')) continue;
    checks.push({
      name: `one ${count.store === 'redis' ? 'Redis' : 'KV'} round trip per guarded request (guard + route)`,
      ok: count.roundTrips <= 1,
      detail: `${trip(count.roundTrips)} per request (${count.requests} requests counted at the store)`,
    });
  }
  return checks;
}

// ---- markdown ------------------------------------------------------------------------------------------

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const ms = (n: number): string => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : '–');
const ratio = (r: RatioStats | undefined): string => (r === undefined ? '–' : `${r.median.toFixed(2)}×`);
const bytes = (n: number): string => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

export function table(
  header: readonly string[],
  align: readonly ('l' | 'r')[],
  rows: readonly string[][],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length), 3));
  const pad = (cell: string, i: number): string =>
    align[i] === 'r' ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0);
  const line = (cells: readonly string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (align[i] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const vsCell = (row: VariantRow, ref: string): string => {
  if (row.id === ref) return '1.00×';
  const r = row.vs[ref];
  return r === undefined ? '–' : `${r.median.toFixed(2)}×${r.direct ? '' : '¹'}`;
};

function mainTable(rows: readonly VariantRow[]): string {
  const ids = [
    'baseline',
    'nsk',
    'iron',
    'authjs',
    'baseline-write',
    'nsk-write',
    'iron-write',
    'baseline-redis',
    'redis',
    'redis-write',
  ];
  const body = ids
    .map((id) => find(rows, id))
    .filter((row): row is VariantRow => row !== undefined)
    .map((row) => [
      row.label,
      int(row.requestsPerSec),
      ms(row.p50),
      ms(row.p99),
      int(row.serverCpuMicros),
      row.id === 'baseline-redis'
        ? '1.00×'
        : row.id.endsWith('redis') || row.id === 'redis-write'
          ? vsCell(row, 'baseline-redis')
          : vsCell(row, 'baseline'),
      row.method === 'POST' && !row.id.startsWith('redis') ? vsCell(row, 'baseline-write') : '–',
      row.id.startsWith('nsk') || row.id === 'authjs' || row.id.startsWith('iron')
        ? vsCell(row, row.method === 'POST' ? 'iron-write' : 'iron')
        : '–',
    ]);
  return table(
    [
      'Route handler (~1 KB session)',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU µs/req',
      'vs no session',
      'vs no-library cookie write',
      'vs iron-session, same operation',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    body,
  );
}

/** +µs of wall time per request (at the run's concurrency) and of server CPU, over `base`. */
function added(row: VariantRow, base: VariantRow | undefined): string {
  if (base === undefined || row === base) return '–';
  return `+${int(1e6 / row.requestsPerSec - 1e6 / base.requestsPerSec)} µs / +${int(row.serverCpuMicros - base.serverCpuMicros)} µs`;
}

function guardTable(rows: readonly VariantRow[]): string {
  const floor = find(rows, 'proxy-noop');
  const body = ['guard-off', 'proxy-noop', 'guard', 'guard-refresh']
    .map((id) => find(rows, id))
    .filter((row): row is VariantRow => row !== undefined)
    .map((row) => [
      row.label,
      int(row.requestsPerSec),
      ms(row.p50),
      ms(row.p99),
      int(row.serverCpuMicros),
      vsCell(row, 'guard-off'),
      row.id === 'guard-off' ? '–' : vsCell(row, 'proxy-noop'),
      row.id === 'guard-off' ? '–' : added(row, floor),
    ]);
  return table(
    [
      'Request (signed-in demo session, ~1 KB JSON answer)',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU µs/req',
      'vs no proxy',
      'vs no-op proxy',
      'added over no-op proxy: wall / CPU per req',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    body,
  );
}

const trip = (n: number): string => (Number.isFinite(n) ? (Math.round(n * 100) / 100).toString() : '–');

function commandsCell(count: StoreTrips | undefined): string {
  if (count === undefined) return '–';
  const parts = Object.entries(count.commands)
    .filter(([, calls]) => calls >= 0.005)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, calls]) => `${name.toUpperCase()} ${trip(calls)}`);
  return parts.length === 0 ? 'none' : parts.join(', ');
}

/** The guard then the route, each loading the session, against the same route behind the no-op proxy. */
function guardedSessionTable(rows: readonly VariantRow[], trips: readonly StoreTrips[]): string {
  const body: string[][] = [];
  for (const suffix of ['', '@redis', '@kv']) {
    const floor = find(rows, `floor-session${suffix}`);
    const guarded = find(rows, `guard-session${suffix}`);
    if (floor === undefined || guarded === undefined) continue;
    const tripsOf = (row: VariantRow): StoreTrips | undefined => trips.find((t) => t.id === row.id);
    const [f, g] = [tripsOf(floor), tripsOf(guarded)];
    body.push([
      suffix === '' ? 'encrypted cookie' : suffix === '@redis' ? 'Redis' : 'KV (Upstash REST API)',
      int(floor.requestsPerSec),
      int(guarded.requestsPerSec),
      vsCell(guarded, floor.id),
      added(guarded, floor),
      f === undefined || g === undefined
        ? '– (no store)'
        : `${trip(f.roundTrips)} → **${trip(g.roundTrips)}**`,
      g === undefined ? '–' : commandsCell(g),
    ]);
  }
  return table(
    [
      'Storage',
      'no-op proxy + route reads: req/s',
      'guard + route reads: req/s',
      'guard vs no-op',
      'added: wall / CPU per req',
      'store round trips per request: no-op → guard',
      'commands Redis ran per guarded request',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
    body,
  );
}

/** The kit's own work against what the same request costs without it, with the targets. */
function ownWorkTable(rows: readonly VariantRow[]): string {
  const lines: Array<[string, string, string, number]> = [
    ['encrypted-cookie read', 'nsk', 'baseline', 0.95],
    ['encrypted-cookie read + write', 'nsk-write', 'baseline-write', 0.95],
    ['guard (signed in, no refresh)', 'guard', 'proxy-noop', 0.9],
  ];
  const body = lines.flatMap(([what, id, ref, target]) => {
    const row = find(rows, id);
    const base = find(rows, ref);
    const ratio = row?.vs[ref];
    if (row === undefined || base === undefined || ratio === undefined) return [];
    return [
      [
        what,
        base.label.replace(/\*\*/g, ''),
        `**${ratio.median.toFixed(2)}×** (${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)})`,
        `≥ ${target}× ${ratio.median >= target ? '✅' : '❌'}`,
        `+${int(row.serverCpuMicros - base.serverCpuMicros)} µs`,
      ],
    ];
  });
  return table(
    ['The kit’s own work', 'against', 'req/s ratio (rounds)', 'target', 'server CPU added per request'],
    ['l', 'l', 'r', 'r', 'r'],
    body,
  );
}

/** The sizes measured, with their read and read+write rows. */
export function sizeRows(rows: readonly VariantRow[]): Array<{
  size: string;
  payloadBytes: number;
  cookie: VariantRow;
  read: VariantRow;
  write: VariantRow;
  /** Both against the no-session baseline with the same Cookie header. */
  readVs: RatioStats | undefined;
  writeVs: RatioStats | undefined;
}> {
  const sizes = ['100B', '1KB', '3KB', '10KB'];
  const out = [];
  for (const size of sizes) {
    const suffix = size === '1KB' ? '' : `@${size}`;
    const read = find(rows, `nsk${suffix}`);
    const write = find(rows, `nsk-write${suffix}`);
    if (read === undefined || write === undefined) continue;
    const baseline = `baseline${suffix}`;
    const [readVs, writeVs] = [read.vs[baseline], write.vs[baseline]];
    out.push({ size, payloadBytes: read.payloadBytes, cookie: read, read, write, readVs, writeVs });
  }
  return out;
}

function sizeTable(rows: readonly VariantRow[]): string {
  const body = sizeRows(rows).map(({ payloadBytes, cookie, read, write, readVs, writeVs }) => [
    bytes(payloadBytes),
    `${bytes(cookie.cookieBytes)}${cookie.cookieCount > 1 ? ` (${cookie.cookieCount} chunks)` : ''}`,
    int(read.requestsPerSec),
    ratio(readVs),
    `${ms(read.p50)} / ${ms(read.p99)}`,
    int(write.requestsPerSec),
    ratio(writeVs),
    `${ms(write.p50)} / ${ms(write.p99)}`,
  ]);
  return table(
    [
      'Session JSON',
      'Cookie header',
      'read req/s',
      'read vs baseline',
      'read p50 / p99 ms',
      'read + write req/s',
      'read + write vs baseline',
      'read + write p50 / p99 ms',
    ],
    ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    body,
  );
}

function keyTable(scale: readonly KeyScaleRow[]): string {
  const body = scale.map((row) => [
    int(row.sessions),
    `${int(row.bytesPerSession)} B`,
    `${int(row.usedMemoryBytes / 1024 / 1024)} MB`,
    `${int(row.loadP50Micros)} / ${int(row.loadP99Micros)}`,
    int(row.http.requestsPerSec),
    `${ms(row.http.p50)} / ${ms(row.http.p99)}`,
    `${row.writeSeconds.toFixed(1)} s`,
  ]);
  return table(
    [
      'Live sessions',
      'Redis memory per session',
      'Redis used_memory',
      'kit load() p50 / p99 µs',
      'read route req/s',
      'read route p50 / p99 ms',
      'bulk write of the step',
    ],
    ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
    body,
  );
}

export function checksMarkdown(checks: readonly Check[]): string {
  return checks.map((c) => `- ${c.ok ? '✅' : '❌'} ${c.name}: ${c.detail}`).join('\n');
}

function versionsLine(env: Environment): string {
  const v = env.versions;
  return [
    `Node ${env.node}`,
    `Next.js ${v.next}`,
    `React ${v.react}`,
    `iron-session ${v['iron-session']}`,
    `@auth/core ${v['@auth/core']}`,
    `ioredis ${v.ioredis}`,
    `redis-server ${env.redis}`,
    `autocannon ${v.autocannon}`,
  ].join(', ');
}

/** The docs/benchmarks.md block (between the bench-http markers), also written to bench/results/http.md. */
export function httpMarkdown(report: HttpReport): string {
  const { environment: env, plan } = report;
  const date = report.generatedAt.slice(0, 10);
  const pin =
    env.pinned === null
      ? 'not pinned to CPUs'
      : `server pinned to CPU ${env.pinned.server}, load generator and Redis to CPU ${env.pinned.generator}`;
  const load = env.hostLoad === undefined ? '' : `; during the run ${hostLoadText(env.hostLoad)}`;
  const parts = [
    `Measured ${date} on ${env.cpu} (${env.cores} cores; 1-minute load average ${env.loadAverage.toFixed(1)} at the start${load}), ` +
      `${versionsLine(env)}, with \`npm run ${report.mode === 'check' ? 'bench:check' : 'bench:http'}\` (${report.durationSeconds.toFixed(0)} s).`,
    '![Throughput of each route relative to the same route without a session](bench-http.svg)',
    mainTable(report.variants),
    '**The kit’s own work**, each against the same request without the kit, run right beside it: a read against ' +
      'the route that reads nothing, a read + write against the route that writes the same cookie back with ' +
      'Next’s `cookies().set()` and no library, the guard against a `proxy.ts` that does nothing.',
    ownWorkTable(report.variants),
    '**The guard.** The same baseline route reached directly (a path the matcher skips), through `proxy.ts` ' +
      'doing nothing (a branch at the top of the demo’s proxy for two bench-only paths: `return ' +
      'NextResponse.next()`, on the same matcher; the floor of any guard, since Next runs the proxy in a pass of ' +
      'its own), and through the guard (path under `/api/private`, so the guard loads the signed-in demo session ' +
      '(user and count, checked by the demo’s schema), checks the origin, matches the protected paths), all ' +
      'answering the ~1 KB JSON. With a refresh, the cookie is an hour old, so the guard re-seals it and sends ' +
      '`Set-Cookie` on every response.',
    guardTable(report.variants),
  ];
  if (report.variants.some((row) => row.id.startsWith('guard-session'))) {
    parts.push(
      '**A guarded page that reads the session.** A Route Handler that reads the demo’s session (as ' +
        '`/api/private/me` does), behind the no-op proxy and behind the guard, which loads the session before it. ' +
        'The demo’s kit on each storage, in a `next start` of its own (`SESSION_STORAGE=redis`, `=kv`) with the ' +
        'same build; KV is the Upstash REST API as `@vercel/kv` calls it, served by a local bridge to the same ' +
        'redis-server in a process of its own. Round trips are counted at the store, one request at a time: ' +
        'read events in redis-server’s `INFO stats` (a pipeline is one), HTTP requests at the KV bridge.',
      guardedSessionTable(report.variants, report.trips),
    );
  }
  if (sizeRows(report.variants).length > 1) {
    parts.push(
      '**Session size.** The encrypted-cookie routes with sessions of 100 B to 10 KB of JSON (10 KB is split ' +
        'into chunk cookies), each against the baseline route with the same Cookie header and the same response.',
      sizeTable(report.variants),
    );
  }
  if (report.keyScale.length > 0) {
    parts.push(
      '**Live sessions in Redis.** ~1 KB sessions written by the kit’s own Redis storage (its record ' +
        'format and save script), then the read route driven with a random one of them per request.',
      keyTable(report.keyScale),
      '![Cost against session size and number of live sessions](bench-scale.svg)',
    );
  }
  parts.push(
    `Targets: ${report.checks.every((c) => c.ok) ? '**all pass**' : '**not all met**'}.\n\n${checksMarkdown(report.checks)}`,
    `_Each round runs every variant for ${plan.secondsPerRun} s right next to each variant it is compared with ` +
      '(its baseline, and for the kit’s rows iron-session’s same operation): one first, then the other way ' +
      `round in the next round, the pairs in a changing order; ${plan.rounds} rounds after a ` +
      `${plan.warmupSeconds} s warm-up of each, against \`next start\` (production build of this ` +
      "repository's demo plus the bench-only routes, the kit compiled from its sources by Next's bundler) on " +
      `loopback, ${plan.connections} connections with one request in flight each, ${pin}. req/s and latencies are ` +
      'medians over the runs; a ratio is the median over the rounds of one run ÷ the run beside it, so load ' +
      'from elsewhere on the host cancels out where it would skew a ratio of medians; ¹ marks a ratio taken ' +
      'through a third variant both ran beside in the same round (the product of the two pairs’ ratios). ' +
      'p50/p99 come from every response’s own timing; server CPU is the ' +
      'utime + stime of the `next start` process group per request (/proc). The load generator ' +
      `(autocannon, in the driver process) used ${(report.generatorCpuShare * 100).toFixed(0)}% of a core._`,
  );
  return parts.join('\n\n');
}

export function checkText(checks: readonly Check[], title: string): string {
  return [title, ...checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`)].join('\n');
}
