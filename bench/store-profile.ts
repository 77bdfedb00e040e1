// `npm run bench -- --busy` misses? Where the engine request's time goes, next
// to raw ioredis: each store path (bench/store-paths.ts) runs `n` requests
// (load, then save) under the inspector's CPU profiler, one path at a time,
// and the samples are summed by origin and by function (bench/profile-analysis.ts).
//
//   node --import tsx bench/store-profile.ts [--requests 3000] [--busy] [--payload large]
//
// Writes bench/results/store-profile.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { hostLoadText, startBusyLoad, watchHostLoad } from './host-load.ts';
import { payloads } from './payloads.ts';
import { analysisDiff, analysisText, analyze, type CpuProfile, classifier } from './profile-analysis.ts';
import { startBenchRedis } from './redis-server.ts';
import { createStorePath, type StorePathId } from './store-paths.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const n = Number(option('--requests') ?? 3000);
const payload = payloads.find((p) => p.id === (option('--payload') ?? 'large'));
if (payload === undefined) throw new Error('--payload small|large');
const root = fileURLToPath(new URL('../', import.meta.url));

const redis = await startBenchRedis();
const busy = args.includes('--busy') ? await startBusyLoad(Math.max(1, cpus().length - 1)) : undefined;
const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
const results: Array<{ id: StorePathId; analysis: ReturnType<typeof analyze>; wallMicros: number }> = [];
const watch = watchHostLoad();
try {
  for (const id of ['raw', 'nsk-storage', 'nsk-engine'] as const) {
    const path = await createStorePath(id, redis, payload.id, payload.data);
    for (let i = 0; i < 500; i++) {
      await path.flow.load();
      await path.flow.save();
    }
    await inspector.post('Profiler.start');
    const started = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      await path.flow.load();
      await path.flow.save();
    }
    const wallMicros = Number(process.hrtime.bigint() - started) / 1e3;
    const { profile } = (await inspector.post('Profiler.stop')) as { profile: CpuProfile };
    path.client.disconnect();
    results.push({ id, analysis: analyze(profile, classifier(root)), wallMicros });
  }
} finally {
  await busy?.stop();
  inspector.disconnect();
  await redis.stop();
}
const load = watch.stop();
const raw = results[0];
const lines = [
  `${payload.label}, ${n} requests per path (load + save, one at a time), ${busy === undefined ? 'quiet' : 'busy (--busy)'}; ${hostLoadText(load)}.`,
];
for (const r of results) {
  lines.push(
    '',
    `${r.id}: ${(r.wallMicros / n).toFixed(0)} µs wall per request`,
    ...analysisText(r.analysis, n, 'req', 12),
  );
  if (r !== raw && raw !== undefined) {
    const { categories, frames } = analysisDiff(r.analysis, n, raw.analysis, n);
    lines.push(`${r.id} over raw:`);
    for (const [name, us] of categories)
      lines.push(`  ${us >= 0 ? '+' : ''}${us.toFixed(1)} µs/req  ${name}`);
    lines.push('  frames that grew most:');
    for (const [name, us] of frames.slice(0, 12))
      lines.push(`  ${us >= 0 ? '+' : ''}${us.toFixed(1)} µs/req  ${name}`);
  }
}
const text = lines.join('\n');
process.stdout.write(`${text}\n`);
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/store-profile.md', import.meta.url), `\`\`\`\n${text}\n\`\`\`\n`);
process.exit(0);
