import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { postgresScaleChart } from './http/svg.ts';
import { kit } from './kit.ts';
import { measureInterleaved, type Schedule, type Task } from './measure.ts';
import { payloads } from './payloads.ts';
import { benchPostgres, type PostgresReport, postgresMarkdown } from './postgres.ts';
import {
  checksText,
  markdownReport,
  markdownTables,
  type Op,
  payloadReport,
  type Report,
  targetChecks,
  taskKey,
} from './report.ts';
import { benchStore } from './store.ts';
import { storeMarkdown, storeTables } from './store-report.ts';
import { type CodecId, createCodecs, sealAndVerify } from './tasks.ts';

const quick = process.env.BENCH_QUICK === '1';
// --busy: the store comparison with the host's other core(s) kept loaded by
// the bench (bench/host-load.ts), so its targets are checked where they must
// hold, on a shared host. Results go to latest-busy.{json,md}.
// `npm run bench --busy` (without `--`) reaches the script as npm_config_busy.
const busy = process.argv.includes('--busy') || process.env.npm_config_busy === 'true';
const busyWorkers = busy ? Math.max(1, cpus().length - 1) : 0;
const schedule: Schedule = quick
  ? { rounds: 3, msPerRound: 100, slicesPerRound: 5, warmupMs: 60 }
  : { rounds: 9, msPerRound: 250, slicesPerRound: 10, warmupMs: 250 };
// Requests per store path whose round trips and commands are counted (untimed).
const countedRequests = quick ? 200 : 2_000;
const resultsDir = new URL('./results/', import.meta.url);

const postgresChart = new URL('../docs/bench-scale-postgres.svg', import.meta.url);
const writePostgresChart = (postgres: PostgresReport) =>
  writeFile(postgresChart, postgresScaleChart(postgres.scale, postgres.version.split(' ')[0] ?? ''));

// --render: docs/bench-scale-postgres.svg again from bench/results/latest.json, without measuring.
if (process.argv.includes('--render')) {
  const stored = JSON.parse(await readFile(new URL('latest.json', resultsDir), 'utf8')) as {
    postgres: PostgresReport;
  };
  await writePostgresChart(stored.postgres);
  process.stderr.write('rendered docs/bench-scale-postgres.svg from bench/results/latest.json\n');
  process.exit(0);
}

const started = process.hrtime.bigint();
const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

const codecs = await createCodecs();
const tasks: Task[] = [];
const cookieLengths = new Map<string, Map<CodecId, number>>();
for (const payload of payloads) {
  log(`payload ${payload.id}: JSON.stringify(data).length = ${JSON.stringify(payload.data).length}`);
  const tokens = new Map<CodecId, string>();
  for (const codec of codecs) tokens.set(codec.id, await sealAndVerify(codec, payload.data));
  cookieLengths.set(payload.id, new Map([...tokens].map(([id, token]) => [id, token.length])));
  // Grouped by operation so each library runs right next to the baselines it is compared with.
  for (const op of ['seal', 'open'] as const satisfies readonly Op[]) {
    for (const codec of codecs) {
      const token = tokens.get(codec.id) ?? '';
      const run = op === 'seal' ? () => codec.seal(payload.data) : () => codec.open(token);
      tasks.push({ key: taskKey(payload.id, codec.id, op), run });
    }
  }
}

log(
  `${tasks.length} tasks, ${schedule.rounds} rounds × ${schedule.msPerRound} ms each${quick ? ' (BENCH_QUICK)' : ''}`,
);
const cpuBefore = process.cpuUsage();
const wallBefore = process.hrtime.bigint();
const rates = await measureInterleaved(tasks, schedule, (round) =>
  log(`round ${round + 1}/${schedule.rounds}`),
);
const cpu = process.cpuUsage(cpuBefore);
// Below ~100% the process waited for a CPU: other load on the host, i.e. noise.
const cpuShare = (cpu.user + cpu.system) / (Number(process.hrtime.bigint() - wallBefore) / 1e3);

const store = await benchStore(schedule, countedRequests, log, busyWorkers);
// Live rows the PostgreSQL table grows to for the scale rows.
const postgresScale = quick ? [10_000] : [10_000, 100_000, 1_000_000];
const postgres = await benchPostgres(schedule, countedRequests, postgresScale, log);

const payloadReports = payloads.map((payload) =>
  payloadReport(payload, codecs, cookieLengths.get(payload.id) ?? new Map(), rates),
);
const report: Report = {
  generatedAt: new Date().toISOString(),
  environment: {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    cpuShare,
  },
  quick,
  kit: kit.source,
  schedule,
  durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  payloads: payloadReports,
  checks: targetChecks(payloadReports),
};

await mkdir(resultsDir, { recursive: true });
const machine = `${report.environment.cpu} (${report.environment.cores} cores)`;
const name = busy ? 'latest-busy' : 'latest';
await writeFile(
  new URL(`${name}.json`, resultsDir),
  `${JSON.stringify({ ...report, store, postgres }, null, 2)}\n`,
);
await writeFile(
  new URL(`${name}.md`, resultsDir),
  `${markdownReport(report)}\n${storeMarkdown(store, process.version, machine)}\n\n${postgresMarkdown(postgres)}\n`,
);

// Only a full, unloaded run's figures go to the docs.
if (!quick && !busy) await writePostgresChart(postgres);

process.stdout.write(`\n${markdownTables(report)}\n\n${checksText(report.checks)}\n`);
process.stdout.write(
  `\n${storeTables(store, process.version, machine)}\n\n` +
    `${checksText(store.checks, 'Store targets (next-session-kit on Redis vs raw ioredis):')}\n` +
    `\n${postgresMarkdown(postgres)}\n`,
);
log(`\nwrote bench/results/${name}.json and ${name}.md in ${report.durationSeconds.toFixed(1)} s`);
