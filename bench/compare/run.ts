// `npm run bench:compare`: next-session-kit against iron-session 8 the way a
// sceptical user would measure them. `npm pack` the kit, install the tarball
// and iron-session side by side in a fresh Next 16 app outside this
// repository, write each library's routes as its README shows (bench/compare/
// app-files.ts), log in through each library once (so each cookie is its
// own, holding the same ~1 KB data), `next build`, `next start`, then drive
// kit/iron pairs with autocannon, alternating which goes first, round after
// round. Nothing of this repository's demo, bench routes or tsconfig paths
// is involved: the kit is the published files, compiled once by Next's
// bundler like any dependency.
//
//   node --import tsx bench/compare/run.ts [--rounds 8] [--seconds 2] [--connections 10]
//        [--write-docs] [--keep] [--profile]
//
// Writes bench/results/compare.{json,md}; --write-docs replaces the
// bench-compare block of docs/benchmarks.md. --profile runs the server under --cpu-prof instead and
// prints where each route's time goes (bench/profile-analysis.ts).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replaceDocsBlock, writesDocs } from '../docs-block.ts';
import { hostLoadText, watchHostLoad } from '../host-load.ts';
import { type RunStats, runLoad } from '../http/load.ts';
import { type ProfileSummary, profileDiffText, profileTable, profileVariant } from '../http/profile.ts';
import { startApp } from '../http/server.ts';
import type { Variant } from '../http/variants.ts';
import { median } from '../measure.ts';
import { payloads } from '../payloads.ts';
import { appFiles, nextTsconfig } from './app-files.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const rounds = Number(option('--rounds') ?? 8);
const seconds = Number(option('--seconds') ?? 2);
const connections = Number(option('--connections') ?? 10);
const keep = args.includes('--keep');
const root = fileURLToPath(new URL('../../', import.meta.url));
const started = Date.now();
const log = (message: string): void => {
  process.stderr.write(
    `[bench:compare ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`,
  );
};
const run = (command: string, commandArgs: string[], cwd: string, env: Record<string, string> = {}): string =>
  execFileSync(command, commandArgs, {
    cwd,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    encoding: 'utf8',
    stdio: 'pipe',
    maxBuffer: 64 * 1024 * 1024,
  });

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const large = (() => {
  const found = payloads.find((p) => p.id === 'large');
  if (found === undefined) throw new Error('bench/payloads.ts lacks the ~1 KB payload');
  return found;
})();

// --app <dir>: reuse the app a --keep run left (installed and built), e.g. to profile it.
const reuse = option('--app');
const work = reuse === undefined ? mkdtempSync(join(tmpdir(), 'nsk-compare-')) : dirname(reuse);
const app = reuse ?? join(work, 'app');
let exitCode = 0;
let stop: (() => Promise<void>) | undefined;
try {
  if (reuse === undefined) prepareApp();
  const version = (name: string): string =>
    (JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
      .version;
  const versions = {
    node: process.version,
    next: version('next'),
    react: version('react'),
    'iron-session': version('iron-session'),
    'next-session-kit': version('next-session-kit'),
  };
  log(
    `installed ${Object.entries(versions)
      .map(([n, v]) => `${n} ${v}`)
      .join(', ')}`,
  );
  if (reuse === undefined) {
    log('next build');
    run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app, { NODE_ENV: 'production' });
  }

  // One secret for both: each library derives its own keys from it.
  const secret = randomBytes(32).toString('base64url');
  const profile = args.includes('--profile');
  const start = (nodeArgs?: string[]) =>
    startApp({
      cwd: app,
      env: { SESSION_SECRET: secret, IRON_PASSWORD: secret },
      readyPath: '/plain/read',
      readyHeaders: {},
      nodeArgs,
    });
  const server = await start();
  stop = server.stop;
  log(`next start on ${server.origin} (pid ${server.pid})`);

  const login = async (path: string): Promise<string> => {
    const response = await fetch(server.origin + path, { method: 'POST' });
    if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    // What a browser then sends: the cookies set, not those the response expires (an empty value).
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';')[0] ?? '')
      .filter((pair) => !pair.endsWith('='))
      .join('; ');
    if (cookie === '') throw new Error(`${path}: no Set-Cookie`);
    return cookie;
  };
  const kitCookie = await login('/kit/login');
  const ironCookie = await login('/iron/login');
  const variant = (id: string, path: string, method: 'GET' | 'POST', cookie: string): Variant => ({
    id,
    label: id,
    path,
    method,
    headers: { cookie },
    size: '1KB',
    setsCookie: method === 'POST',
    counts: method === 'POST',
  });
  const pairs: Array<{ name: string; kit: Variant; iron: Variant }> = [
    {
      name: 'read',
      kit: variant('kit-read', '/kit/read', 'GET', kitCookie),
      iron: variant('iron-read', '/iron/read', 'GET', ironCookie),
    },
    {
      name: 'read + write',
      kit: variant('kit-write', '/kit/write', 'POST', kitCookie),
      iron: variant('iron-write', '/iron/write', 'POST', ironCookie),
    },
  ];
  // No library, with each library's Cookie header: the floor of each.
  const floors = [
    variant('plain-kit-cookie', '/plain/read', 'GET', kitCookie),
    variant('plain-iron-cookie', '/plain/read', 'GET', ironCookie),
  ];
  // Every route must answer the session's data, or it would only look fast.
  for (const v of [...pairs.flatMap((p) => [p.kit, p.iron]), ...floors]) {
    const response = await fetch(server.origin + v.path, { method: v.method, headers: v.headers });
    const body = (await response.json()) as Record<string, unknown>;
    if (
      response.status !== 200 ||
      JSON.stringify(body.preferences) !== JSON.stringify(large.data.preferences)
    )
      throw new Error(
        `${v.id}: ${response.status}, not the session's data: ${JSON.stringify(body).slice(0, 200)}`,
      );
    if (v.setsCookie !== response.headers.getSetCookie().length > 0)
      throw new Error(`${v.id}: unexpected Set-Cookie presence`);
  }
  const cookieBytes = { kit: kitCookie.length, iron: ironCookie.length };
  log(`cookies: kit ${cookieBytes.kit} B, iron-session ${cookieBytes.iron} B; all routes answer the data`);

  const all = [...pairs.flatMap((p) => [p.kit, p.iron]), ...floors];
  log(`warm-up: ${seconds} s each`);
  for (const v of all) await runLoad(server, v, seconds, connections);

  if (profile) {
    // One server per route under --cpu-prof (Node writes the profile on exit), as bench:http --profile.
    await server.stop();
    const summaries: ProfileSummary[] = [];
    for (const v of all) {
      const profiled = await start(['--cpu-prof', `--cpu-prof-dir=${join(root, '.tmp/bench-prof')}`]);
      stop = profiled.stop;
      summaries.push(await profileVariant(profiled, v, 10, connections, log));
    }
    const text = [
      profileTable(summaries),
      ...[
        ['kit-read', 'plain-kit-cookie'],
        ['iron-read', 'plain-iron-cookie'],
        ['kit-write', 'iron-write'],
        ['kit-read', 'iron-read'],
      ].map(([a, b]) => {
        const ours = summaries.find((x) => x.id === a) as ProfileSummary;
        const base = summaries.find((x) => x.id === b) as ProfileSummary;
        return `\`\`\`\n${profileDiffText(ours, base)}\n\`\`\``;
      }),
    ].join('\n\n');
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/compare-profile.md'), `${text}\n`);
    process.stdout.write(`${text}\n`);
  } else {
    const runs = new Map<string, RunStats[]>(all.map((v) => [v.id, []]));
    const ratios = new Map<string, number[]>(pairs.map((p) => [p.name, []]));
    // The same pairs by server CPU time per request (iron's µs over the kit's): contention
    // from other processes stretches wall time far more than CPU time.
    const cpuRatios = new Map<string, number[]>(pairs.map((p) => [p.name, []]));
    const floorRatios = new Map<string, number[]>(all.map((v) => [v.id, []]));
    const watch = watchHostLoad();
    for (let round = 0; round < rounds; round++) {
      // Alternate who goes first, and which pair, every round.
      const order = round % 2 === 0 ? pairs : [...pairs].reverse();
      for (const pair of order) {
        const first = round % 2 === 0 ? pair.kit : pair.iron;
        const second = first === pair.kit ? pair.iron : pair.kit;
        const a = await runLoad(server, first, seconds, connections);
        const b = await runLoad(server, second, seconds, connections);
        runs.get(first.id)?.push(a);
        runs.get(second.id)?.push(b);
        const [kit, iron] = first === pair.kit ? [a, b] : [b, a];
        ratios.get(pair.name)?.push(kit.requestsPerSec / iron.requestsPerSec);
        cpuRatios.get(pair.name)?.push(iron.serverCpuMicros / kit.serverCpuMicros);
      }
      // The floors once a round, each right after the pair that carries its cookie.
      const kitFloor = await runLoad(server, floors[0] as Variant, seconds, connections);
      const ironFloor = await runLoad(server, floors[1] as Variant, seconds, connections);
      runs.get('plain-kit-cookie')?.push(kitFloor);
      runs.get('plain-iron-cookie')?.push(ironFloor);
      const last = (id: string): number => runs.get(id)?.at(-1)?.requestsPerSec ?? Number.NaN;
      for (const id of ['kit-read', 'kit-write'])
        floorRatios.get(id)?.push(last(id) / kitFloor.requestsPerSec);
      for (const id of ['iron-read', 'iron-write'])
        floorRatios.get(id)?.push(last(id) / ironFloor.requestsPerSec);
      log(
        `round ${round + 1}/${rounds}: kit/iron read ${(ratios.get('read')?.at(-1) ?? 0).toFixed(2)}×, ` +
          `read + write ${(ratios.get('read + write')?.at(-1) ?? 0).toFixed(2)}× ` +
          `(CPU: ${(cpuRatios.get('read')?.at(-1) ?? 0).toFixed(2)}×, ${(cpuRatios.get('read + write')?.at(-1) ?? 0).toFixed(2)}×)`,
      );
    }
    const hostLoad = watch.stop();
    log(hostLoadText(hostLoad));
    const rowOf = (v: Variant) => {
      const list = runs.get(v.id) ?? [];
      return {
        id: v.id,
        path: `${v.method} ${v.path}`,
        requestsPerSec: median(list.map((r) => r.requestsPerSec)),
        p50: median(list.map((r) => r.p50)),
        p99: median(list.map((r) => r.p99)),
        serverCpuMicros: median(list.map((r) => r.serverCpuMicros)),
        vsNoLibrary: v.id.startsWith('plain') ? 1 : median(floorRatios.get(v.id) ?? []),
      };
    };
    const report = {
      generatedAt: new Date().toISOString(),
      cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
      cores: cpus().length,
      versions,
      plan: { rounds, seconds, connections },
      cookieBytes,
      hostLoad,
      rows: all.map(rowOf),
      ratios: pairs.map((p) => {
        const list = ratios.get(p.name) ?? [];
        const cpu = cpuRatios.get(p.name) ?? [];
        return {
          name: p.name,
          median: median(list),
          min: Math.min(...list),
          max: Math.max(...list),
          cpu: { median: median(cpu), min: Math.min(...cpu), max: Math.max(...cpu) },
        };
      }),
    };
    const markdown = compareMarkdown(report);
    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, 'bench/results/compare.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(root, 'bench/results/compare.md'), `${markdown}\n`);
    process.stdout.write(`${markdown}\n`);
    if (writesDocs(args)) log(replaceDocsBlock('bench-compare', markdown));
  }
} catch (error) {
  log(String(error instanceof Error ? (error.stack ?? error.message) : error));
  exitCode = 1;
} finally {
  await stop?.().catch(() => {});
  if (keep) log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
process.exit(exitCode);

type Report = {
  generatedAt: string;
  cpu: string;
  cores: number;
  versions: Record<string, string>;
  plan: { rounds: number; seconds: number; connections: number };
  cookieBytes: { kit: number; iron: number };
  hostLoad: ReturnType<ReturnType<typeof watchHostLoad>['stop']>;
  rows: Array<{
    id: string;
    path: string;
    requestsPerSec: number;
    p50: number;
    p99: number;
    serverCpuMicros: number;
    vsNoLibrary: number;
  }>;
  ratios: Array<{
    name: string;
    median: number;
    min: number;
    max: number;
    cpu: { median: number; min: number; max: number };
  }>;
};

function labelOf(id: string): string {
  const labels: Record<string, string> = {
    'kit-read': '**next-session-kit: read**',
    'iron-read': 'iron-session 8: read',
    'kit-write': '**next-session-kit: read + write**',
    'iron-write': 'iron-session 8: read + write',
    'plain-kit-cookie': 'no library, same JSON (with the kit’s cookie)',
    'plain-iron-cookie': 'no library, same JSON (with iron-session’s cookie)',
  };
  return labels[id] ?? id;
}

function compareMarkdown(r: Report): string {
  const fmt = (n: number, digits = 0): string =>
    Number.isFinite(n)
      ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
      : '–';
  const lines = [
    `Measured ${r.generatedAt.slice(0, 10)} with \`npm run bench:compare\` on ${r.cpu} (${r.cores} cores), ` +
      `${Object.entries(r.versions)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ')}. During the run, ${hostLoadText(r.hostLoad)}.`,
    '',
    '| Route handler (~1 KB session, as each README writes it) | req/s | p50 ms | p99 ms | server CPU µs/req | vs no library |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...r.rows.map(
      (row) =>
        `| ${labelOf(row.id)} | ${fmt(row.requestsPerSec)} | ${fmt(row.p50, 1)} | ${fmt(row.p99, 1)} | ` +
        `${fmt(row.serverCpuMicros)} | ${row.id.startsWith('plain') ? '1.00×' : `${fmt(row.vsNoLibrary, 2)}×`} |`,
    ),
    '',
    ...r.ratios.map(
      (ratio) =>
        `- **${ratio.name}: the kit at ${ratio.median.toFixed(2)}× iron-session's req/s** ` +
        `(rounds ${ratio.min.toFixed(2)}–${ratio.max.toFixed(2)}×); by server CPU per request ` +
        `${ratio.cpu.median.toFixed(2)}× (rounds ${ratio.cpu.min.toFixed(2)}–${ratio.cpu.max.toFixed(2)}×)`,
    ),
    '',
    `_A fresh Next ${r.versions.next} app outside this repository installs the kit from its \`npm pack\` tarball ` +
      `and iron-session from npm; routes are each README's Route Handler code (bench/compare/app-files.ts), ` +
      `each library's cookie written by its own login route with the same ${large.jsonBytes} B of JSON ` +
      `(cookie header: kit ${r.cookieBytes.kit} B, iron-session ${r.cookieBytes.iron} B). \`next start\`, ` +
      `autocannon with ${r.plan.connections} connections, ${r.plan.seconds} s per run after a ${r.plan.seconds} s ` +
      `warm-up of each route; ${r.plan.rounds} rounds, each running the kit and iron-session back to back ` +
      `(who goes first alternates), then the no-library route with each cookie. A ratio is the median over the ` +
      `rounds of the two back-to-back runs; req/s, latencies and CPU are medians of the runs._`,
  ];
  return lines.join('\n');
}

/** `npm pack` the kit, and a fresh app that installs its tarball and iron-session from npm. */
function prepareApp(): void {
  log('npm run build, npm pack');
  run(process.execPath, ['scripts/build.mjs'], root);
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root)) as Array<{
    filename: string;
  }>;
  if (packed === undefined) throw new Error('npm pack gave no tarball');
  const tarball = join(work, packed.filename);

  log(`a fresh Next 16 app in ${app}: next-session-kit from ${packed.filename}, iron-session from npm`);
  const dev = rootPkg.devDependencies;
  const pkg = {
    name: 'kit-vs-iron',
    private: true,
    dependencies: {
      next: dev.next,
      react: dev.react,
      'react-dom': dev['react-dom'],
      'next-session-kit': `file:${tarball}`,
      'iron-session': dev['iron-session'],
    },
    devDependencies: {
      typescript: dev.typescript,
      '@types/node': dev['@types/node'],
      '@types/react': dev['@types/react'],
      '@types/react-dom': dev['@types/react-dom'],
    },
  };
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(join(app, 'tsconfig.json'), nextTsconfig());
  for (const [path, text] of Object.entries(appFiles(large.data))) {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), text);
  }
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
}
