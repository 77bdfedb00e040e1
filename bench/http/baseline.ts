import { readFile, writeFile } from 'node:fs/promises';
import type { Check, Environment, VariantRow } from './report.ts';

// The figures `npm run bench:check` compares against: ratios only (a route
// against its no-session baseline in the same run, and the kit against
// iron-session), never absolute times, which differ from machine to machine.

const FILE = new URL('../baseline/http.json', import.meta.url);

export interface Baseline {
  readonly recordedAt: string;
  readonly machine: string;
  readonly node: string;
  readonly margin: number;
  /** "nsk vs baseline" → 0.93, … */
  readonly ratios: Record<string, number>;
}

/** The named ratios of a run: each route against its baseline, and the kit's read against iron-session. */
export function ratiosOf(rows: readonly VariantRow[]): Map<string, number> {
  const ratios = new Map<string, number>();
  for (const row of rows) {
    if (row.vsBaseline === undefined) continue;
    const against = row.id.startsWith('guard') ? 'unguarded' : 'baseline';
    ratios.set(`${row.id} vs ${against}`, row.vsBaseline.median);
  }
  const nsk = rows.find((row) => row.id === 'nsk');
  if (nsk?.vsIron !== undefined) ratios.set('nsk vs iron-session', nsk.vsIron.median);
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
  for (const [name, value] of ratiosOf(rows)) {
    const recorded = baseline.ratios[name];
    if (recorded === undefined) continue;
    const floor = recorded * (1 - margin);
    checks.push({
      name,
      ok: value >= floor,
      detail: `${value.toFixed(2)}× (recorded ${recorded.toFixed(2)}×, fails below ${floor.toFixed(2)}×)`,
    });
  }
  return {
    ok: checks.every((c) => c.ok),
    checks,
    source: `bench/baseline/http.json (${baseline.recordedAt.slice(0, 10)}, ${baseline.machine})`,
  };
}
