// Where postgresStorage's request spends its CPU, next to raw node-postgres
// (bench/postgres.ts's flows: raw SELECT + UPDATE, the adapter alone, the
// whole kit request), each run `n` times under the inspector's CPU profiler.
// Proportions only: the figures of a busy host are not speeds.
//
//   node --import tsx bench/postgres-profile.ts [--requests 3000]
//
// Writes bench/results/postgres-profile.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres } from '../test/servers/postgres.ts';
import { adapterFlow, type Flow, kitFlow, rawFlow } from './postgres.ts';
import { analysisDiff, analysisText, analyze, type CpuProfile, classifier } from './profile-analysis.ts';

const at = process.argv.indexOf('--requests');
const n = at >= 0 ? Number(process.argv[at + 1]) : 3000;
const root = fileURLToPath(new URL('../', import.meta.url));

const server = await startPostgres();
const pools: pg.Pool[] = [];
const connect = () => {
  const pool = new pg.Pool({
    host: server.host,
    port: server.port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
  });
  pool.on('error', () => {});
  pools.push(pool);
  return pool;
};
const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 100 });
const profiled: Array<{ id: string; analysis: ReturnType<typeof analyze> }> = [];
try {
  const flows: Array<[string, Flow]> = [
    ['nsk', await kitFlow(connect())], // creates the table
    ['raw', await rawFlow(connect(), 'raw-key')],
    ['adapter', await adapterFlow(connect())],
  ];
  for (const [id, flow] of flows) {
    const once = async () => {
      await flow.load();
      await flow.save();
    };
    for (let i = 0; i < 300; i++) await once(); // warm: prepared statements, JIT
    await inspector.post('Profiler.start');
    for (let i = 0; i < n; i++) await once();
    const { profile } = (await inspector.post('Profiler.stop')) as { profile: CpuProfile };
    profiled.push({ id, analysis: analyze(profile, classifier(root)) });
  }
} finally {
  inspector.disconnect();
  await Promise.allSettled(pools.map((pool) => pool.end()));
  await server.stop();
}
const raw = profiled.find((p) => p.id === 'raw');
const signed = ([name, us]: readonly [string, number]) =>
  `  ${us >= 0 ? '+' : ''}${us.toFixed(1)} µs/req  ${name}`;
const lines = [`${n} requests per path (load + save, one at a time); CPU samples, proportions only.`];
for (const { id, analysis } of profiled) {
  lines.push('', `${id}:`, ...analysisText(analysis, n, 'req', 15));
  if (raw === undefined || id === 'raw') continue;
  const { categories, frames } = analysisDiff(analysis, n, raw.analysis, n);
  lines.push(`${id} over raw:`, ...categories.map(signed), ...frames.slice(0, 15).map(signed));
}
const report = `\`\`\`\n${lines.join('\n')}\n\`\`\`\n`;
process.stdout.write(report);
await mkdir(new URL('results/', import.meta.url), { recursive: true });
await writeFile(new URL('results/postgres-profile.md', import.meta.url), report);
process.exit(0);
