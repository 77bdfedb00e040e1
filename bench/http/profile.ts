import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type Analysis,
  analysisDiff,
  analysisText,
  analyze,
  type CpuProfile,
  classifier,
  IDLE,
  KIT,
} from '../profile-analysis.ts';
import { runLoad } from './load.ts';
import { table } from './report.ts';
import type { BenchServer } from './server.ts';
import type { Variant } from './variants.ts';

// `--profile <variant>`: the server runs with --cpu-prof; after driving one
// variant it is stopped (Node writes the profile on exit) and the profile's
// samples in the measured window are summed by origin, the app bundle's
// frames traced to their sources (the kit's src/, the app, Next.js, other
// packages) through the source maps `next build` writes.

const DIR = new URL('../../.tmp/bench-prof/', import.meta.url);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where one variant's server time went over the measured window. */
export interface ProfileSummary {
  readonly id: string;
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly analysis: Analysis;
  /** The kept profile, for Chrome DevTools or speedscope. */
  readonly file: string;
  /** The printed breakdown. */
  readonly text: string;
}

/** Side by side: each origin's share of busy time and µs per request, per profiled variant. */
export function profileTable(summaries: readonly ProfileSummary[]): string {
  const names = new Set<string>();
  for (const s of summaries)
    for (const name of s.analysis.selfByCategory.keys()) if (name !== IDLE) names.add(name);
  const total = (name: string): number =>
    summaries.reduce((sum, s) => sum + (s.analysis.selfByCategory.get(name) ?? 0), 0);
  const ordered = [...names].sort((a, b) => total(b) - total(a));
  const cell = (s: ProfileSummary, micros: number): string =>
    `${((micros / s.analysis.busyMicros) * 100).toFixed(1)}% (${(micros / s.requests).toFixed(0)})`;
  const rows = ordered.map((name) => [
    name === KIT ? `**${name}**, self` : name,
    ...summaries.map((s) => cell(s, s.analysis.selfByCategory.get(name) ?? 0)),
  ]);
  rows.push([
    '**the kit, inclusive** (samples with a kit frame on the stack: what it calls on its behalf too)',
    ...summaries.map((s) => `**${cell(s, s.analysis.kitInclusiveMicros)}**`),
  ]);
  rows.push([
    '**busy µs per request** (req/s while profiled)',
    ...summaries.map(
      (s) => `${(s.analysis.busyMicros / s.requests).toFixed(0)} (${Math.round(s.requestsPerSec)})`,
    ),
  ]);
  return table(
    ['self time: share of busy (µs per request)', ...summaries.map((s) => s.id)],
    ['l', ...summaries.map(() => 'r' as const)],
    rows,
  );
}

export async function profileVariant(
  server: BenchServer,
  variant: Variant,
  seconds: number,
  connections: number,
  log: (message: string) => void,
): Promise<ProfileSummary> {
  const before = new Set(await readdir(DIR).catch(() => [] as string[]));
  // Warm first, then keep only the samples taken during the measured run:
  // the profile also holds the server's start-up (module loading, compiling).
  await runLoad(server, variant, 2, connections);
  log(`profiling ${variant.id} for ${seconds} s`);
  const from = Number(process.hrtime.bigint() / 1000n);
  const run = await runLoad(server, variant, seconds, connections);
  const to = Number(process.hrtime.bigint() / 1000n);
  await server.stop();
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.cpuprofile') && !before.has(f));
  if (files.length === 0) throw new Error('the server wrote no .cpuprofile (did it exit cleanly?)');
  // The largest profile is the server's (next start may have started helpers).
  const sized = await Promise.all(files.map(async (f) => ({ f, size: (await stat(new URL(f, DIR))).size })));
  sized.sort((a, b) => b.size - a.size);
  const written = sized[0]?.f as string;
  const profile = JSON.parse(await readFile(new URL(written, DIR), 'utf8')) as CpuProfile;
  const analysis = analyze(profile, classifier(ROOT), { from, to });
  if (analysis.totalMicros === 0)
    throw new Error('no profile samples fall in the measured window (clocks differ?)');
  // Profiles are large; keep this one under the variant's name, drop the rest.
  const file = `${variant.id}.cpuprofile`;
  await rename(new URL(written, DIR), new URL(file, DIR));
  for (const f of files) if (f !== written) await rm(new URL(f, DIR), { force: true });
  const text = [
    `Profile of ${variant.id}: ${run.requests} requests, ${Math.round(run.requestsPerSec)} req/s; ` +
      `${(analysis.busyMicros / 1e3).toFixed(0)} ms busy of ${(analysis.totalMicros / 1e3).toFixed(0)} ms ` +
      `(.tmp/bench-prof/${file}).`,
    ...analysisText(analysis, run.requests, 'req'),
  ].join('\n');
  process.stdout.write(`${text}\n`);
  return {
    id: variant.id,
    requests: run.requests,
    requestsPerSec: run.requestsPerSec,
    analysis,
    file,
    text,
  };
}

/** Lines: what `ours` spent per request over `base`, by origin and by frame. */
export function profileDiffText(ours: ProfileSummary, base: ProfileSummary): string {
  const { categories, frames } = analysisDiff(ours.analysis, ours.requests, base.analysis, base.requests);
  const us = (n: number): string => `${n >= 0 ? '+' : ''}${n.toFixed(1)} µs/req`.padStart(16);
  const busy = ours.analysis.busyMicros / ours.requests - base.analysis.busyMicros / base.requests;
  return [
    `${ours.id} over ${base.id}: ${us(busy).trim()} busy`,
    'By origin:',
    ...categories.map(([name, n]) => `  ${us(n)}  ${name}`),
    'Frames that grew most (self time):',
    ...frames.map(([name, n]) => `  ${us(n)}  ${name}`),
  ].join('\n');
}
