// Whole-request benchmark: the demo built with bench-only routes, `next start`
// on loopback, driven by autocannon; see docs/benchmarks.md.
//
//   node --import tsx bench/http/run.ts [--check] [--record] [--write-docs] [--no-build]
//        [--no-scale] [--keys 10000,100000,1000000] [--pin] [--connections 10] [--margin 0.15]
//        [--variants nsk,redis] [--profile <id,id…> [--profile-seconds 10]] [--render]
//
// Full run: ~5-6 minutes; writes bench/results/http.{json,md} and docs/bench-*.svg.
// --check: the short run (about 3 minutes) that compares ratios with bench/baseline/http.json; exit 1 on a regression.
// --record: rewrites bench/baseline/http.json from this run. --write-docs: replaces its block in docs/benchmarks.md.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { createClient } from '@vercel/kv';
import { Redis } from 'ioredis';
import { benchPayload, DEFAULT_SIZE, payloadBytes, SIZE_IDS } from '../../app/bench/config.ts';
import { kvStorage } from '../../src/entries/kv.ts';
import { redisStorage } from '../../src/entries/redis.ts';
import { replaceDocsBlock, writesDocs } from '../docs-block.ts';
import { hostLoadText, watchHostLoad } from '../host-load.ts';
import { startBenchRedis } from '../redis-server.ts';
import { compareWithBaseline, ratiosOf, readBaseline, recordBaseline } from './baseline.ts';
import { type BenchKv, startBenchKv } from './kv.ts';
import { type LoadPlan, runInterleaved } from './load.ts';
import { type ProfileSummary, profileDiffText, profileTable, profileVariant } from './profile.ts';
import {
  checkText,
  type Environment,
  type HttpReport,
  httpMarkdown,
  targetChecks,
  variantRows,
} from './report.ts';
import { keyScale } from './scale.ts';
import { type BenchServer, buildApp, startApp } from './server.ts';
import {
  authjsCookie,
  demoCookie,
  demoStoreCookie,
  ironCookie,
  nskCookie,
  REFRESH_AGE_MS,
  redisCookie,
  redisEngine,
} from './sessions.ts';
import { httpChart, scaleChart } from './svg.ts';
import { countTrips, type StoreTrips } from './trips.ts';
import {
  mainVariants,
  type ServerId,
  sizeVariants,
  type Variant,
  type VariantCookies,
  verify,
} from './variants.ts';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const check = flag('--check');
const profile = option('--profile');
const connections = Number(option('--connections') ?? 10);
const margin = Number(option('--margin') ?? 0.15);
const keySteps = (option('--keys') ?? '10000,100000,1000000').split(',').map(Number);
const scale = !check && !flag('--no-scale') && profile === undefined;
if (!Number.isInteger(connections) || connections < 1 || !(margin > 0 && margin < 1)) {
  console.error('--connections takes a whole number, --margin a fraction such as 0.15');
  process.exit(2);
}
if (keySteps.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('--keys takes increasing whole numbers, e.g. 10000,100000,1000000');
  process.exit(2);
}

// Variants the short check runs: the ratios it guards.
const CHECK_IDS = [
  'baseline',
  'nsk',
  'iron',
  'baseline-write',
  'nsk-write',
  'baseline-redis',
  'redis',
  'guard-off',
  'proxy-noop',
  'guard',
  'guard-refresh',
  'floor-session@redis',
  'guard-session@redis',
  'floor-session@kv',
  'guard-session@kv',
];
// What the check must measure (a missing one fails it): the targets' ratios and the guarded round trips.
const CHECK_REQUIRED = [
  'nsk vs baseline',
  'nsk vs iron',
  'nsk-write vs baseline-write',
  'redis vs baseline-redis',
  'proxy-noop vs guard-off',
  'guard vs proxy-noop',
  'guard vs guard-off',
  'guard-session@redis vs floor-session@redis',
  'guard-session@kv vs floor-session@kv',
];
const plan: LoadPlan = check
  ? { connections, rounds: 7, secondsPerRun: 1, warmupSeconds: 1 }
  : { connections, rounds: 5, secondsPerRun: 1, warmupSeconds: 1 };
// Requests per store variant sent one at a time to count its round trips.
const countedRequests = check ? 100 : 300;
const keyPlan: LoadPlan = { connections, rounds: 3, secondsPerRun: 2, warmupSeconds: 1 };

const root = new URL('../../', import.meta.url);
const started = Date.now();
const log = (message: string): void => {
  process.stderr.write(
    `[bench:http ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`,
  );
};

async function versionOf(name: string): Promise<string> {
  const text = await readFile(new URL(`node_modules/${name}/package.json`, root), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/** `taskset` a running process (all its threads) onto `cpus`. */
async function pin(pid: number, list: string): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  execFileSync('taskset', ['-a', '-cp', list, String(pid)], { stdio: 'ignore' });
}

const cores = cpus().length;
const pinned = flag('--pin') && cores >= 2 ? { server: '0', generator: `1-${cores - 1}` } : null;
const loadAverage = loadavg()[0] ?? Number.NaN;
if (loadAverage > 0.5 * cores) {
  log(
    `warning: load average ${loadAverage.toFixed(1)} on ${cores} cores: the host is busy, figures will be noisy`,
  );
}

// --render: the table, charts and docs block again from bench/results/http.json, without measuring.
if (flag('--render')) {
  const report = JSON.parse(await readFile(new URL('bench/results/http.json', root), 'utf8')) as HttpReport;
  const markdown = httpMarkdown(report);
  await writeFile(new URL('bench/results/http.md', root), `${markdown}\n`);
  await writeFile(
    new URL('docs/bench-http.svg', root),
    httpChart(report.variants, 'Whole request in a Next.js 16 server'),
  );
  if (report.keyScale.length > 0) {
    await writeFile(new URL('docs/bench-scale.svg', root), scaleChart(report.variants, report.keyScale));
  }
  if (writesDocs(process.argv)) log(replaceDocsBlock('bench-http', markdown));
  log('rendered bench/results/http.md and docs/bench-*.svg from bench/results/http.json');
  process.exit(0);
}

if (!flag('--no-build')) await buildApp(log);

const redis = await startBenchRedis();
const redisUrl = `redis://${redis.host}:${redis.port}`;
log(`redis-server ${redis.version} on ${redis.host}:${redis.port}`);
const cleanups: Array<() => Promise<void>> = [() => redis.stop()];
const cleanup = async (): Promise<void> => {
  for (const step of cleanups.reverse()) await step().catch(() => {});
};
const onSignal = (signal: NodeJS.Signals): void => {
  log(`${signal}: stopping the servers and redis-server`);
  void cleanup().finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

let exitCode = 0;
try {
  // One secret for every library: iron-session needs 32+ characters, Auth.js and the kit take any.
  const secret = randomBytes(32).toString('base64url');
  const client = new Redis(redisUrl);
  cleanups.push(async () => client.disconnect());
  const only = option('--variants')?.split(',');
  const profileIds = profile?.split(',');
  const wanted = (server: ServerId): boolean => {
    const ids = profileIds ?? only ?? (check ? CHECK_IDS : undefined);
    return ids === undefined || ids.some((id) => id.endsWith(`@${server}`));
  };
  // The KV variants need the REST bridge (a process of its own) over the same redis-server.
  let kv: BenchKv | undefined;
  if (wanted('kv')) {
    kv = await startBenchKv(redisUrl);
    cleanups.push(() => (kv as BenchKv).stop());
    log(`KV REST bridge on ${kv.url}`);
  }
  const data = benchPayload(DEFAULT_SIZE);
  const cookies: VariantCookies = {
    nsk: await nskCookie(secret, data),
    iron: await ironCookie(secret, data),
    authjs: await authjsCookie(secret, data),
    redis: await redisCookie(redisEngine(client), data),
    demo: await demoCookie(secret),
    demoStale: await demoCookie(secret, REFRESH_AGE_MS),
    demoRedis: wanted('redis') ? await demoStoreCookie(redisStorage({ client })) : undefined,
    demoKv:
      kv === undefined
        ? undefined
        : await demoStoreCookie(kvStorage({ client: createClient({ url: kv.url, token: kv.token }) })),
  };
  let variants: Variant[] = mainVariants(cookies);
  if (check) variants = variants.filter((v) => CHECK_IDS.includes(v.id));
  if (scale) {
    for (const size of SIZE_IDS) {
      if (size !== DEFAULT_SIZE)
        variants.push(...sizeVariants(size, await nskCookie(secret, benchPayload(size))));
    }
  }

  if (only !== undefined) {
    // The listed variants and the baselines their ratios need, and theirs in turn.
    const keep = new Set<string>();
    const add = (id: string | undefined): void => {
      if (id === undefined || keep.has(id)) return;
      keep.add(id);
      add(variants.find((v) => v.id === id)?.baseline);
    };
    for (const id of only) add(id);
    variants = variants.filter((v) => keep.has(v.id));
    if (variants.length === 0) throw new Error(`--variants matched nothing`);
  }
  // The demo's kit on each storage: same build, SESSION_STORAGE per server.
  const storageEnv = (server: ServerId): Record<string, string> => {
    if (server === 'redis') return { SESSION_STORAGE: 'redis', REDIS_URL: redisUrl };
    if (server === 'kv' && kv !== undefined)
      return { SESSION_STORAGE: 'kv', KV_REST_API_URL: kv.url, KV_REST_API_TOKEN: kv.token };
    return { SESSION_STORAGE: 'cookie' };
  };
  const start = (server: ServerId, ready: Variant, nodeArgs?: string[]) =>
    startApp({
      env: {
        BENCH_ROUTES: '1',
        BENCH_SECRET: secret,
        BENCH_REDIS_URL: redisUrl,
        // The demo's own kit, for proxy.ts: default lifetimes, storage per server.
        SESSION_SECRET: secret,
        SESSION_IDLE_TIMEOUT: '',
        SESSION_MAX_AGE: '',
        ...storageEnv(server),
      },
      cpus: pinned?.server,
      nodeArgs,
      readyPath: ready.path,
      readyHeaders: ready.headers,
      readyMethod: ready.method,
    });

  if (profileIds !== undefined) {
    // One server per variant: Node writes the profile when the process exits.
    const summaries: ProfileSummary[] = [];
    for (const id of profileIds) {
      const variant = variants.find((v) => v.id === id);
      if (variant === undefined)
        throw new Error(`--profile: no variant "${id}"; one of ${variants.map((v) => v.id).join(', ')}`);
      const server = await start(variant.server ?? 'main', variant, [
        '--cpu-prof',
        '--cpu-prof-dir=.tmp/bench-prof',
      ]);
      cleanups.push(() => server.stop());
      await verify(server.origin, variant);
      const seconds = Number(option('--profile-seconds') ?? 10);
      summaries.push(await profileVariant(server, variant, seconds, connections, log));
    }
    const table = profileTable(summaries);
    process.stdout.write(`\n${table}\n`);
    // Each profiled variant against its profiled baseline: where the added time goes.
    const diffs: string[] = [];
    for (const summary of summaries) {
      const base = summaries.find((s) => s.id === variants.find((v) => v.id === summary.id)?.baseline);
      if (base !== undefined) diffs.push(profileDiffText(summary, base));
    }
    if (diffs.length > 0) process.stdout.write(`\n${diffs.join('\n\n')}\n`);
    await mkdir(new URL('bench/results/', root), { recursive: true });
    await writeFile(
      new URL('bench/results/profile.md', root),
      `${table}\n\n${[...summaries.map((s) => s.text), ...diffs].map((t) => `\`\`\`\n${t}\n\`\`\``).join('\n\n')}\n`,
    );
    if (writesDocs(process.argv)) {
      const note =
        `Profiled ${new Date().toISOString().slice(0, 10)} with \`npm run bench:http -- --profile ${profile}\` ` +
        `(${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cores} cores, load average ${loadAverage.toFixed(1)} at the start; ` +
        'self time of the sampled frames in the measured window only, native code counted for its JavaScript ' +
        'caller, frames of the app bundle attributed through its source maps):';
      log(replaceDocsBlock('bench-profile', `${note}\n\n${table}`));
    }
  } else {
    const servers = new Map<ServerId, BenchServer>();
    for (const id of ['main', 'redis', 'kv'] as const) {
      const ready = variants.find((v) => (v.server ?? 'main') === id);
      if (ready === undefined) continue;
      const server = await start(id, ready);
      cleanups.push(() => server.stop());
      servers.set(id, server);
      log(
        `next start (${id === 'main' ? 'bench routes, demo on the cookie storage' : `demo on ${id}`}) on ${server.origin} (pid ${server.pid})`,
      );
    }
    const serverOf = (variant: Variant): BenchServer => servers.get(variant.server ?? 'main') as BenchServer;
    if (pinned !== null) {
      await pin(process.pid, pinned.generator);
      const info = await client.info('server');
      const redisPid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
      if (redisPid > 0) await pin(redisPid, pinned.generator);
      log(
        `pinned: servers on CPU ${pinned.server}, this process and redis-server on CPU ${pinned.generator}`,
      );
    }
    for (const variant of variants) await verify(serverOf(variant).origin, variant);
    log(`${variants.length} variants answer 200 with the session's data`);
    log(
      `${variants.length} variants, each next to its partners, × ${plan.rounds} rounds × ${plan.secondsPerRun} s, ` +
        `${connections} connections` +
        (check ? ' (--check)' : ''),
    );
    const hostWatch = watchHostLoad();
    const stats = await runInterleaved(servers, variants, plan, log);
    const hostLoad = hostWatch.stop();
    log(hostLoadText(hostLoad));
    const trips: StoreTrips[] = [];
    for (const variant of variants) {
      if (variant.store === undefined) continue;
      trips.push(await countTrips(serverOf(variant), variant, countedRequests, client, kv));
    }
    if (trips.length > 0) {
      log(
        `round trips per request at the store (${countedRequests} requests each): ` +
          trips.map((t) => `${t.id} ${t.roundTrips.toFixed(2)}`).join(', '),
      );
    }
    const redisVariant = variants.find((v) => v.id === 'redis');
    const keyRows =
      scale && redisVariant !== undefined
        ? await keyScale(serverOf(redisVariant), redisUrl, keySteps, keyPlan, redisVariant, log)
        : [];
    const rows = variantRows(variants, stats, payloadBytes);
    const shares = [...stats.values()]
      .flatMap((s) => s.runs.map((r) => r.generatorCpuShare))
      .sort((a, b) => a - b);
    const versions: Record<string, string> = {};
    for (const name of ['next', 'react', 'iron-session', '@auth/core', 'ioredis', 'autocannon']) {
      versions[name] = await versionOf(name);
    }
    const environment: Environment = {
      node: process.version,
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores,
      loadAverage,
      versions,
      redis: redis.version,
      pinned,
      hostLoad,
    };
    const report: HttpReport = {
      generatedAt: new Date().toISOString(),
      mode: check ? 'check' : 'full',
      environment,
      plan,
      durationSeconds: (Date.now() - started) / 1000,
      generatorCpuShare: shares[shares.length >> 1] ?? Number.NaN,
      variants: rows,
      trips,
      keyScale: keyRows,
      checks: targetChecks(rows, trips),
    };
    const results = new URL('bench/results/', root);
    await mkdir(results, { recursive: true });
    const name = check ? 'http-check' : 'http';
    await writeFile(new URL(`${name}.json`, results), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = httpMarkdown(report);
    await writeFile(new URL(`${name}.md`, results), `${markdown}\n`);
    process.stdout.write(`\n${markdown}\n\n`);
    // Charts only from a run of every variant: a partial run would replace them with less.
    if (!check && only === undefined) {
      await mkdir(new URL('docs/', root), { recursive: true });
      await writeFile(
        new URL('docs/bench-http.svg', root),
        httpChart(rows, 'Whole request in a Next.js 16 server'),
      );
      if (scale) await writeFile(new URL('docs/bench-scale.svg', root), scaleChart(rows, keyRows));
      log(
        `wrote bench/results/${name}.json, ${name}.md, docs/bench-http.svg${scale ? ', docs/bench-scale.svg' : ''}`,
      );
    }
    if (writesDocs(process.argv)) log(replaceDocsBlock('bench-http', markdown));
    if (check) {
      const baseline = await readBaseline();
      const outcome = compareWithBaseline(rows, trips, baseline, margin);
      const measured = ratiosOf(rows);
      const missing = CHECK_REQUIRED.filter((name) => !measured.has(name));
      const checks = [
        ...outcome.checks,
        ...missing.map((name) => ({ name, ok: false, detail: 'not measured in this run' })),
      ];
      process.stdout.write(
        `${checkText(checks, `Ratios vs ${outcome.source} (margin ${(margin * 100).toFixed(0)}%):`)}\n`,
      );
      if (!outcome.ok || missing.length > 0) {
        process.stdout.write(
          'bench:check FAILED: a ratio fell below the recorded figure by more than the margin, ' +
            'a store round trip was added, or a guarded ratio was not measured.\n',
        );
        exitCode = 1;
      } else process.stdout.write('bench:check passed.\n');
    }
    if (flag('--record')) {
      await recordBaseline(rows, trips, environment, margin);
      log('recorded bench/baseline/http.json');
    }
  }
} catch (error) {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  exitCode = 1;
} finally {
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await cleanup();
}
log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(exitCode);
