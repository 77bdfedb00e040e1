import { readFile, writeFile } from 'node:fs/promises';
import type { Check, Environment, VariantRow } from './report.ts';
import type { StoreTrips } from './trips.ts';

// The figures `npm run bench:check` compares against: ratios only (a route
// against the request it ran beside in the same run: its no-session baseline,
// the no-library write, the no-op proxy, iron-session), never absolute times,
// which differ from machine to machine; and store round trips per request,
// which are counts and must not grow at all. A ratio recorded by server CPU
// time per request too is judged by that one: on a shared host the server
// waits for a core now and then, which swings req/s but not the CPU time a
// request takes.

const FILE = new URL('../baseline/http.json', import.meta.url);

export interface Baseline {
  readonly recordedAt: string;
  readonly machine: string;
  readonly node: string;
  readonly margin: number;
  /** How the figures were recorded, when not by a plain `--record` on a quiet machine. */
  readonly note?: string;
  /** "nsk vs baseline" → 0.93, … (req/s over the partner's) */
  readonly ratios: Record<string, number>;
  /** The same pairs by server CPU time per request (the partner's over the route's), where measured. */
  readonly cpuRatios?: Record<string, number>;
  /** "guard-session@redis" → 2, … (round trips per request at the store). */
  readonly roundTrips?: Record<string, number>;
}

/** Counting is exact; this only absorbs a stray reconnect or retry during the count. */
const TRIPS_TOLERANCE = 0.05;

/**
 * The named ratios of a run: each route against every request it ran beside
 * ("guard vs proxy-noop"), by req/s or (`cpu`) by server CPU time per request.
 */
export function ratiosOf(rows: readonly VariantRow[], by: 'rate' | 'cpu' = 'rate'): Map<string, number> {
  const ratios = new Map<string, number>();
  for (const row of rows) {
    for (const partner of row.partners) {
      const ratio = row.vs[partner];
      if (!ratio?.direct) continue;
      const value = by === 'rate' ? ratio.median : ratio.cpu?.median;
      if (value !== undefined && Number.isFinite(value)) ratios.set(`${row.id} vs ${partner}`, value);
    }
  }
  return ratios;
}

export async function readBaseline(): Promise<Baseline | undefined> {
  try {
    return JSON.parse(await readFile(FILE, 'utf8')) as Baseline;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function recordBaseline(
  rows: readonly VariantRow[],
  trips: readonly StoreTrips[],
  environment: Environment,
  margin: number,
): Promise<void> {
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  const baseline: Baseline = {
    recordedAt: new Date().toISOString(),
    machine: `${environment.cpu} (${environment.cores} cores)`,
    node: environment.node,
    margin,
    ratios: Object.fromEntries([...ratiosOf(rows)].map(([name, value]) => [name, round(value)])),
    cpuRatios: Object.fromEntries([...ratiosOf(rows, 'cpu')].map(([name, value]) => [name, round(value)])),
    roundTrips: Object.fromEntries(trips.map((t) => [t.id, Math.round(t.roundTrips * 100) / 100])),
  };
  await writeFile(FILE, `${JSON.stringify(baseline, null, 2)}\n`);
}

/**
 * Fails each ratio that fell more than `margin` (a fraction of the recorded
 * value) below the recorded one. Ratios only in one of the two are skipped;
 * without a recorded file, nothing can fail and the output says so.
 */
export function compareWithBaseline(
  rows: readonly VariantRow[],
  trips: readonly StoreTrips[],
  baseline: Baseline | undefined,
  margin: number,
): { ok: boolean; checks: Check[]; source: string } {
  if (baseline === undefined) {
    return {
      ok: true,
      checks: [
        {
          name: 'no bench/baseline/http.json yet',
          ok: true,
          detail: 'record one with `npm run bench:http -- --record`',
        },
      ],
      source: 'nothing recorded',
    };
  }
  const checks: Check[] = [];
  const byCpu = ratiosOf(rows, 'cpu');
  for (const [name, rate] of ratiosOf(rows)) {
    const recordedCpu = baseline.cpuRatios?.[name];
    const cpu = byCpu.get(name);
    const judged =
      recordedCpu !== undefined && cpu !== undefined
        ? { value: cpu, recorded: recordedCpu, unit: '× by CPU time' }
        : { value: rate, recorded: baseline.ratios[name], unit: '×' };
    if (judged.recorded === undefined) continue;
    const floor = judged.recorded * (1 - margin);
    const { unit } = judged;
    checks.push({
      name,
      ok: judged.value >= floor,
      detail:
        `${judged.value.toFixed(2)}${unit} (recorded ${judged.recorded.toFixed(2)}${unit}, ` +
        `fails below ${floor.toFixed(2)}${unit})`,
    });
  }
  for (const count of trips) {
    const recorded = baseline.roundTrips?.[count.id];
    if (recorded === undefined) continue;
    checks.push({
      name: `${count.id} store round trips per request`,
      ok: count.roundTrips <= recorded + TRIPS_TOLERANCE,
      detail: `${count.roundTrips.toFixed(2)} (recorded ${recorded}, fails above it)`,
    });
  }
  return {
    ok: checks.every((c) => c.ok),
    checks,
    source: `bench/baseline/http.json (${baseline.recordedAt.slice(0, 10)}, ${baseline.machine})`,
  };
}
