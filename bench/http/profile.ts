import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { runLoad } from './load.ts';
import { table } from './report.ts';
import type { BenchServer } from './server.ts';
import type { Variant } from './variants.ts';

// `--profile <variant>`: the server runs with --cpu-prof; after driving one
// variant it is stopped (Node writes the profile on exit) and the profile's
// self time is summed by function and by where the code comes from.

const DIR = new URL('../../.tmp/bench-prof/', import.meta.url);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** µs on the monotonic clock, as process.hrtime. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = 'idle (waiting for I/O)';

function category(url: string, name: string): string {
  if (name === '(garbage collector)') return 'garbage collection';
  if (name === '(idle)') return IDLE;
  if (name === '(program)' || url === '') return 'V8 and native code outside any JS caller';
  if (url.startsWith('node:internal/crypto') || url === 'node:crypto') return 'node:crypto';
  if (url.includes('undici')) return 'Node.js fetch types (Request, Response, Headers: undici)';
  if (url.startsWith('node:')) return 'Node.js http, net, streams, async hooks';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg !== undefined) return pkg === 'next' ? 'Next.js server (node_modules/next)' : `node_modules/${pkg}`;
  if (url.includes('/.next-bench/'))
    return 'app bundle: the route, the session library, parts of Next bundled with them';
  return url;
}

/** Where one variant's server time went: µs per category over the measured window. */
export interface ProfileSummary {
  readonly id: string;
  readonly requests: number;
  readonly requestsPerSec: number;
  readonly busyMicros: number;
  readonly categories: Map<string, number>;
}

/** Side by side: each category's share of busy time and µs per request, per profiled variant. */
export function profileTable(summaries: readonly ProfileSummary[]): string {
  const names = new Set<string>();
  for (const s of summaries) for (const name of s.categories.keys()) if (name !== IDLE) names.add(name);
  const total = (name: string): number =>
    summaries.reduce((sum, s) => sum + (s.categories.get(name) ?? 0), 0);
  const ordered = [...names].sort((a, b) => total(b) - total(a));
  const rows = ordered.map((name) => [
    name,
    ...summaries.map((s) => {
      const micros = s.categories.get(name) ?? 0;
      return `${((micros / s.busyMicros) * 100).toFixed(1)}% (${(micros / s.requests).toFixed(0)})`;
    }),
  ]);
  rows.push([
    '**busy µs per request** (req/s while profiled)',
    ...summaries.map((s) => `${(s.busyMicros / s.requests).toFixed(0)} (${Math.round(s.requestsPerSec)})`),
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
  const file = sized[0]?.f as string;
  const profile = JSON.parse(await readFile(new URL(file, DIR), 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // Native code (JSON.parse, a cipher's update, a socket write) has no URL:
  // it counts for the first caller that has one.
  const categoryOf = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return 'unknown';
    if (frame.url !== '' || frame.functionName.startsWith('('))
      return category(frame.url, frame.functionName);
    for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
      const caller = byId.get(up)?.callFrame;
      if (caller !== undefined && caller.url !== '') return category(caller.url, caller.functionName);
    }
    return category('', frame.functionName);
  };
  const self = new Map<number, number>();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    self.set(id, (self.get(id) ?? 0) + delta);
    total += delta;
  });
  if (total === 0) throw new Error('no profile samples fall in the measured window (clocks differ?)');
  const byFunction = new Map<string, number>();
  const byCategory = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) continue;
    const where =
      frame.url === ''
        ? ''
        : ` ${frame.url.replace(/^.*\/(node_modules|\.next-bench)\//, '$1/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    const cat = categoryOf(id);
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + micros);
  }
  const busy = total - (byCategory.get(IDLE) ?? 0);
  const pct = (micros: number): string => `${((micros / busy) * 100).toFixed(1)}%`.padStart(6);
  const perRequest = (micros: number): string => `${(micros / run.requests).toFixed(1)} µs/req`.padStart(13);
  const lines = [
    `Profile of ${variant.id}: ${run.requests} requests, ${Math.round(run.requestsPerSec)} req/s; ` +
      `${(busy / 1e3).toFixed(0)} ms busy of ${(total / 1e3).toFixed(0)} ms (${file}).`,
    'Self time by origin (share of busy time):',
    ...[...byCategory]
      .filter(([cat]) => cat !== IDLE)
      .sort((a, b) => b[1] - a[1])
      .map(([cat, micros]) => `  ${pct(micros)} ${perRequest(micros)}  ${cat}`),
    'Top functions by self time:',
    ...[...byFunction]
      .filter(([key]) => !key.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30)
      .map(([key, micros]) => `  ${pct(micros)} ${perRequest(micros)}  ${key}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  // Profiles are large; keep only this one.
  for (const f of files) if (f !== file) await rm(new URL(f, DIR), { force: true });
  return {
    id: variant.id,
    requests: run.requests,
    requestsPerSec: run.requestsPerSec,
    busyMicros: busy,
    categories: byCategory,
  };
}
