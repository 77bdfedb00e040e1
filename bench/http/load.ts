import autocannon, { type AutocannonRequestSpec } from 'autocannon';
import { median } from '../measure.ts';
import type { BenchServer } from './server.ts';
import { partnersOf, type ServerId, type Variant } from './variants.ts';

/** How hard and how long each variant is driven. */
export interface LoadPlan {
  /** Open connections, one request in flight on each. */
  readonly connections: number;
  readonly rounds: number;
  readonly secondsPerRun: number;
  readonly warmupSeconds: number;
}

/** One autocannon run of one variant. */
export interface RunStats {
  readonly requestsPerSec: number;
  /** Latency percentiles, ms, from every response's own timing (autocannon's histogram keeps whole ms). */
  readonly p50: number;
  readonly p99: number;
  /** CPU time of the server's processes per request, µs (Linux /proc; NaN elsewhere). */
  readonly serverCpuMicros: number;
  /** CPU time of this process (the load generator) over wall time. */
  readonly generatorCpuShare: number;
  readonly requests: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Drives `variant` for `seconds` and checks every response was a 2xx: a
 * variant that started failing would otherwise just look fast.
 */
export async function runLoad(
  server: BenchServer,
  variant: Variant,
  seconds: number,
  connections: number,
  requests?: AutocannonRequestSpec[],
): Promise<RunStats> {
  const latencies: number[] = [];
  let bad = 0;
  let firstBad = 0;
  const cpuBefore = server.cpuMicros();
  const ownBefore = process.cpuUsage();
  const wallBefore = process.hrtime.bigint();
  const instance = autocannon({
    url: server.origin + variant.path,
    method: variant.method,
    headers: variant.headers,
    connections,
    pipelining: 1,
    duration: seconds,
    timeout: 10,
    ...(requests === undefined ? {} : { requests }),
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    else if (bad++ === 0) firstBad = status;
  });
  const result = await instance;
  const wallMicros = Number(process.hrtime.bigint() - wallBefore) / 1e3;
  const own = process.cpuUsage(ownBefore);
  const serverCpu = server.cpuMicros() - cpuBefore;
  if (bad > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${variant.id}: ${bad} non-2xx responses (first: ${firstBad}), ${result.errors} errors, ` +
        `${result.timeouts} timeouts during the run. Server output:\n${server.logs().slice(-3_000)}`,
    );
  }
  const sorted = Float64Array.from(latencies).sort();
  return {
    requestsPerSec: latencies.length / result.duration,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    serverCpuMicros: serverCpu / latencies.length,
    generatorCpuShare: (own.user + own.system) / wallMicros,
    requests: latencies.length,
  };
}

/** Every round's figures of one variant, and their medians. */
export interface VariantStats {
  readonly id: string;
  readonly runs: RunStats[];
  /**
   * Per partner (its baseline, iron-session's same operation…), per round:
   * req/s over the req/s of the partner's run right next to it.
   */
  readonly ratios: Readonly<Record<string, number[]>>;
  /**
   * The same pairs by server CPU time per request: the partner's µs over this
   * variant's (so, like req/s, higher is cheaper). Contention from other
   * processes stretches wall time far more than CPU time, so on a shared
   * host this ratio holds where the req/s ratio swings.
   */
  readonly cpuRatios: Readonly<Record<string, number[]>>;
  readonly requestsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly serverCpuMicros: number;
}

export function summarize(
  id: string,
  runs: RunStats[],
  ratios: Record<string, number[]> = {},
  cpuRatios: Record<string, number[]> = {},
): VariantStats {
  const of = (pick: (run: RunStats) => number): number => median(runs.map(pick));
  return {
    id,
    runs,
    ratios,
    cpuRatios,
    requestsPerSec: of((r) => r.requestsPerSec),
    p50: of((r) => r.p50),
    p99: of((r) => r.p99),
    serverCpuMicros: of((r) => r.serverCpuMicros),
  };
}

/**
 * Warms every variant up, then runs `rounds` rounds. A round runs each
 * variant right next to each of its partners (A B, next round B A), the
 * pairs in a different order each round: on a shared machine the load from
 * elsewhere changes within seconds, and a ratio of two back-to-back runs
 * cancels it where a ratio of two medians taken minutes apart would not.
 * A pair's two variants are on the same server.
 */
export async function runInterleaved(
  servers: ReadonlyMap<ServerId, BenchServer>,
  variants: readonly Variant[],
  plan: LoadPlan,
  log: (message: string) => void,
): Promise<Map<string, VariantStats>> {
  const serverOf = (variant: Variant): BenchServer => {
    const server = servers.get(variant.server ?? 'main');
    if (server === undefined) throw new Error(`${variant.id}: no ${variant.server} server started`);
    return server;
  };
  for (const variant of variants)
    await runLoad(serverOf(variant), variant, plan.warmupSeconds, plan.connections);
  const byId = new Map(variants.map((v) => [v.id, v]));
  const pairs: Array<[Variant, Variant]> = [];
  for (const variant of variants) {
    for (const id of partnersOf(variant)) {
      const partner = byId.get(id);
      if (partner === undefined) {
        if (id === variant.baseline) throw new Error(`${variant.id}: its baseline ${id} is not in the run`);
        continue;
      }
      if ((partner.server ?? 'main') !== (variant.server ?? 'main'))
        throw new Error(`${variant.id} and ${id} run on different servers`);
      pairs.push([partner, variant]);
    }
  }
  const runs = new Map<string, RunStats[]>(variants.map((v) => [v.id, []]));
  const ratios = new Map<string, Record<string, number[]>>(variants.map((v) => [v.id, {}]));
  const cpuRatios = new Map<string, Record<string, number[]>>(variants.map((v) => [v.id, {}]));
  const stride = Math.max(1, Math.floor(pairs.length / plan.rounds));
  for (let round = 0; round < plan.rounds; round++) {
    const start = (round * stride) % Math.max(1, pairs.length);
    const order = [...pairs.slice(start), ...pairs.slice(0, start)];
    if (round % 2 === 1) order.reverse();
    const started = Date.now();
    for (const [base, variant] of order) {
      const server = serverOf(variant);
      const baseFirst = round % 2 === 0;
      const first = await runLoad(server, baseFirst ? base : variant, plan.secondsPerRun, plan.connections);
      const second = await runLoad(server, baseFirst ? variant : base, plan.secondsPerRun, plan.connections);
      const [baseRun, variantRun] = baseFirst ? [first, second] : [second, first];
      runs.get(base.id)?.push(baseRun);
      runs.get(variant.id)?.push(variantRun);
      const own = ratios.get(variant.id) ?? {};
      own[base.id] ??= [];
      own[base.id]?.push(variantRun.requestsPerSec / baseRun.requestsPerSec);
      const cpu = cpuRatios.get(variant.id) ?? {};
      cpu[base.id] ??= [];
      cpu[base.id]?.push(baseRun.serverCpuMicros / variantRun.serverCpuMicros);
    }
    log(`round ${round + 1}/${plan.rounds} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  return new Map(
    variants.map((v) => [
      v.id,
      summarize(v.id, runs.get(v.id) ?? [], ratios.get(v.id) ?? {}, cpuRatios.get(v.id) ?? {}),
    ]),
  );
}
