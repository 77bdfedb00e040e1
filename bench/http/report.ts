import { median, type RatioStats } from '../measure.ts';
import type { LoadPlan, VariantStats } from './load.ts';
import type { KeyScaleRow } from './scale.ts';
import type { Variant } from './variants.ts';

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
}

export interface VariantRow {
  readonly id: string;
  readonly label: string;
  readonly method: string;
  readonly path: string;
  readonly size: string;
  readonly payloadBytes: number;
  /** Length of the Cookie header sent, and how many cookies it holds. */
  readonly cookieBytes: number;
  readonly cookieCount: number;
  readonly requestsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly serverCpuMicros: number;
  readonly vsBaseline?: RatioStats;
  readonly vsIron?: RatioStats;
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
  readonly keyScale: KeyScaleRow[];
  readonly checks: Check[];
}

function ratioStats(values: readonly number[]): RatioStats | undefined {
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

export function variantRows(
  variants: readonly Variant[],
  stats: ReadonlyMap<string, VariantStats>,
  payloadBytes: (size: Variant['size']) => number,
): VariantRow[] {
  const statsOf = (id: string): VariantStats => {
    const found = stats.get(id);
    if (found === undefined) throw new Error(`no figures for ${id}`);
    return found;
  };
  return variants.map((variant): VariantRow => {
    const s = statsOf(variant.id);
    // Reads against iron-session's read, writes against its read + write.
    const iron = stats.get(variant.method === 'POST' && stats.has('iron-write') ? 'iron-write' : 'iron');
    const cookie = variant.headers.cookie ?? '';
    const vsBaseline = ratioStats(s.ratios);
    // Both against the same baseline, each in its own back-to-back pair: the ratio of the two ratios.
    const vsIron =
      iron !== undefined && variant.baseline === 'baseline' && iron.ratios.length === s.ratios.length
        ? ratioStats(s.ratios.map((r, i) => r / (iron.ratios[i] ?? Number.NaN)))
        : undefined;
    return {
      id: variant.id,
      label: variant.label,
      method: variant.method,
      path: variant.path,
      size: variant.size,
      payloadBytes: payloadBytes(variant.size),
      cookieBytes: cookie.length,
      cookieCount: cookie === '' ? 0 : cookie.split('; ').length,
      requestsPerSec: s.requestsPerSec,
      p50: s.p50,
      p99: s.p99,
      serverCpuMicros: s.serverCpuMicros,
      perRound: s.runs.map((run) => run.requestsPerSec),
      ...(vsBaseline === undefined ? {} : { vsBaseline }),
      ...(vsIron === undefined ? {} : { vsIron }),
    };
  });
}

const find = (rows: readonly VariantRow[], id: string): VariantRow | undefined =>
  rows.find((r) => r.id === id);

function ratioCheck(rows: readonly VariantRow[], id: string, min: number, what: string): Check | undefined {
  const row = find(rows, id);
  if (row?.vsBaseline === undefined) return undefined;
  const value = row.vsBaseline.median;
  return {
    name: `${what} ≥ ${min}× the no-session baseline`,
    ok: value >= min,
    detail: `${value.toFixed(3)}× (rounds ${row.vsBaseline.min.toFixed(2)}–${row.vsBaseline.max.toFixed(2)})`,
  };
}

/** The issue's targets, from this run's own ratios. */
export function targetChecks(rows: readonly VariantRow[]): Check[] {
  const checks = [
    ratioCheck(rows, 'nsk', 0.9, 'encrypted-cookie read'),
    ratioCheck(rows, 'nsk-write', 0.85, 'encrypted-cookie read + write'),
    ratioCheck(rows, 'redis', 0.8, 'Redis read'),
  ].filter((check): check is Check => check !== undefined);
  const nsk = find(rows, 'nsk');
  if (nsk?.vsIron !== undefined) {
    checks.splice(1, 0, {
      name: 'encrypted-cookie read beats iron-session',
      ok: nsk.vsIron.median > 1,
      detail: `${nsk.vsIron.median.toFixed(2)}× iron-session's req/s`,
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
      row.id === 'baseline' || row.id === 'baseline-redis' ? '1.00×' : ratio(row.vsBaseline),
      ratio(row.vsIron),
    ]);
  return table(
    [
      'Route handler (~1 KB session)',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU µs/req',
      'vs baseline',
      'vs iron-session, same operation',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
    body,
  );
}

function guardTable(rows: readonly VariantRow[]): string {
  const off = find(rows, 'guard-off');
  const body = ['guard-off', 'guard', 'guard-refresh']
    .map((id) => find(rows, id))
    .filter((row): row is VariantRow => row !== undefined)
    .map((row) => [
      row.label,
      int(row.requestsPerSec),
      ms(row.p50),
      ms(row.p99),
      int(row.serverCpuMicros),
      row.id === 'guard-off' ? '1.00×' : ratio(row.vsBaseline),
      off === undefined || row === off
        ? '–'
        : `+${int(1e6 / row.requestsPerSec - 1e6 / off.requestsPerSec)} µs / +${int(row.serverCpuMicros - off.serverCpuMicros)} µs`,
    ]);
  return table(
    [
      'Request (signed-in demo session)',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU µs/req',
      'vs unguarded',
      'added: wall / CPU per req',
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
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
}> {
  const sizes = ['100B', '1KB', '3KB', '10KB'];
  const out = [];
  for (const size of sizes) {
    const suffix = size === '1KB' ? '' : `@${size}`;
    const read = find(rows, `nsk${suffix}`);
    const write = find(rows, `nsk-write${suffix}`);
    if (read === undefined || write === undefined) continue;
    out.push({ size, payloadBytes: read.payloadBytes, cookie: read, read, write });
  }
  return out;
}

function sizeTable(rows: readonly VariantRow[]): string {
  const body = sizeRows(rows).map(({ payloadBytes, cookie, read, write }) => [
    bytes(payloadBytes),
    `${bytes(cookie.cookieBytes)}${cookie.cookieCount > 1 ? ` (${cookie.cookieCount} chunks)` : ''}`,
    int(read.requestsPerSec),
    ratio(read.vsBaseline),
    `${ms(read.p50)} / ${ms(read.p99)}`,
    int(write.requestsPerSec),
    ratio(write.vsBaseline),
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

/** The README block (between the bench-http markers), also written to bench/results/http.md. */
export function httpMarkdown(report: HttpReport): string {
  const { environment: env, plan } = report;
  const date = report.generatedAt.slice(0, 10);
  const pin =
    env.pinned === null
      ? 'not pinned to CPUs'
      : `server pinned to CPU ${env.pinned.server}, load generator and Redis to CPU ${env.pinned.generator}`;
  const parts = [
    `Measured ${date} on ${env.cpu} (${env.cores} cores; 1-minute load average ${env.loadAverage.toFixed(1)} at the start), ` +
      `${versionsLine(env)}, with \`npm run ${report.mode === 'check' ? 'bench:check' : 'bench:http'}\` (${report.durationSeconds.toFixed(0)} s).`,
    '![Throughput of each route relative to the same route without a session](docs/bench-http.svg)',
    mainTable(report.variants),
    `**The guard.** The same baseline route reached through \`proxy.ts\` (path under \`/api/private\`, so the ` +
      'guard loads the signed-in demo session (user and count, checked by the demo’s schema), checks the ' +
      'origin, matches the protected paths) and directly (a path the matcher skips), both answering the ~1 KB JSON. With a refresh, the cookie is an hour old, so the guard re-seals it and ' +
      'sends `Set-Cookie` on every response.',
    guardTable(report.variants),
  ];
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
      '![Cost against session size and number of live sessions](docs/bench-scale.svg)',
    );
  }
  parts.push(
    `Targets: ${report.checks.every((c) => c.ok) ? '**all pass**' : '**not all met**'}.\n\n${checksMarkdown(report.checks)}`,
    `_Each round runs every variant for ${plan.secondsPerRun} s right next to its baseline (baseline first, ` +
      `then the other way round in the next round), the pairs in a changing order; ${plan.rounds} rounds after a ` +
      `${plan.warmupSeconds} s warm-up of each, all against one \`next start\` (production build of this ` +
      "repository's demo plus the bench-only routes, the kit compiled from its sources by Next's bundler) on " +
      `loopback, ${plan.connections} connections with one request in flight each, ${pin}. req/s and latencies are ` +
      'medians over the runs; a ratio is the median over the rounds of variant ÷ the baseline run beside it (vs ' +
      'iron-session: the ratio of the two ratios), so load from elsewhere on the host cancels out where it ' +
      'would skew a ratio of medians. p50/p99 come from every response’s own timing; server CPU is the ' +
      'utime + stime of the `next start` process group per request (/proc). The load generator ' +
      `(autocannon, in the driver process) used ${(report.generatorCpuShare * 100).toFixed(0)}% of a core._`,
  );
  return parts.join('\n\n');
}

export function checkText(checks: readonly Check[], title: string): string {
  return [title, ...checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`)].join('\n');
}
