// Did a change to the kit make the store-backed request faster? An A/B of two
// builds of the kit in one process and one minute: the kit at a git revision
// (A, default HEAD) and the working tree (B), both compiled as `npm run bench`
// compiles the kit, each path on its own connection to one private
// redis-server, all interleaved round by round with the raw ioredis baseline
// (bench/measure.ts). Reports per payload the paired wall-clock ratios (vs raw
// ioredis and B vs A) and the CPU time per request, which a shared host
// disturbs far less than the wall clock (waiting for a core is not counted).
// Then, untimed, what no neighbour on the host can disturb: the bytes each
// request allocates on the JS heap and the promises it creates.
//
//   node --import tsx bench/store-ab.ts [--base <rev>] [--target <rev>] [--rounds 15] [--busy] [--paths nsk-engine,nsk-storage]
import { createHook } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { hostLoadText, startBusyLoad, watchHostLoad } from './host-load.ts';
import { compileKit, type Kit, kit, loadCompiledKit } from './kit.ts';
import { measureInterleaved, median, pairedRatio, type Task } from './measure.ts';
import { payloads } from './payloads.ts';
import { startBenchRedis } from './redis-server.ts';
import { createStorePath, type StorePath, type StorePathId } from './store-paths.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = option('--base') ?? 'HEAD';
const rounds = Number(option('--rounds') ?? 15);
const kitPaths = (option('--paths') ?? 'nsk-engine').split(',') as StorePathId[];
const root = new URL('../', import.meta.url);
const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

// A: the sources at `base`, compiled the same way as the working tree (B,
// or the sources at `--target <rev>`).
function compileRevision(revision: string, name: string): Promise<Kit> {
  const sourceDir = new URL(`.tmp/ab-${name}-src/`, root);
  const out = new URL(`.tmp/ab-${name}-kit/`, root);
  rmSync(sourceDir, { recursive: true, force: true });
  mkdirSync(sourceDir, { recursive: true });
  const archive = execFileSync('git', ['archive', revision, 'src', 'tsconfig.build.json'], {
    cwd: fileURLToPath(root),
    maxBuffer: 1 << 28,
  });
  execFileSync('tar', ['-x', '-C', fileURLToPath(sourceDir)], { input: archive });
  log(`compiling the kit at ${revision} into .tmp/ab-${name}-kit/`);
  compileKit(sourceDir, out);
  return loadCompiledKit(out);
}
const target = option('--target');
const kits = {
  A: await compileRevision(base, 'a'),
  B: target === undefined ? kit : await compileRevision(target, 'b'),
};

/** Bytes allocated on the JS heap and promises created per request, over `n` requests. */
async function countPerRequest(path: StorePath, n: number): Promise<{ bytes: number; promises: number }> {
  const request = async (): Promise<void> => {
    await path.flow.load();
    await path.flow.save();
  };
  for (let i = 0; i < 500; i++) await request();
  const gc = new GCProfiler();
  gc.start();
  const before = getHeapStatistics().used_heap_size;
  for (let i = 0; i < n; i++) await request();
  const after = getHeapStatistics().used_heap_size;
  let freed = 0;
  for (const { beforeGC, afterGC } of gc.stop().statistics) {
    freed += beforeGC.heapStatistics.usedHeapSize - afterGC.heapStatistics.usedHeapSize;
  }
  let promises = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') promises++;
    },
  }).enable();
  for (let i = 0; i < 200; i++) await request();
  hook.disable();
  return { bytes: (after - before + freed) / n, promises: promises / 200 };
}

/** Wall-clock and CPU figures of `rounds` interleaved rounds. */
async function timed(tasks: readonly Task[]): Promise<string[]> {
  const busy = args.includes('--busy') ? await startBusyLoad(Math.max(1, cpus().length - 1)) : undefined;
  const watch = watchHostLoad();
  const load1 = loadavg()[0] ?? Number.NaN;
  const cpu = new Map<string, number[]>();
  const rates = await measureInterleaved(
    tasks,
    { rounds, msPerRound: 300, slicesPerRound: 10, warmupMs: 300 },
    (round) => log(`round ${round + 1}/${rounds}`),
    cpu,
  );
  await busy?.stop();
  const host = watch.stop();
  const get = (map: Map<string, number[]>, key: string): number[] => map.get(key) ?? [];
  const ratio = (a: string, b: string, map = rates): string => {
    const r = pairedRatio(get(map, a), get(map, b));
    return `${r.median.toFixed(3)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
  };
  const lines = [
    `${rounds} rounds${busy === undefined ? '' : ', --busy'}; ` +
      `1-min load average at start ${load1.toFixed(2)}; ${hostLoadText(host)}.`,
  ];
  for (const payload of payloads) {
    const raw = `${payload.id}:raw`;
    lines.push('', `${payload.label}:`);
    lines.push(`  raw ioredis: CPU ${median(get(cpu, raw)).toFixed(1)} µs/req`);
    for (const id of kitPaths) {
      for (const which of ['A', 'B'] as const) {
        const key = `${payload.id}:${id}:${which}`;
        lines.push(
          `  ${id} ${which}: wall vs raw ${ratio(key, raw)}; CPU ${median(get(cpu, key)).toFixed(1)} µs/req, ` +
            `raw/this CPU ${ratio(raw, key, cpu)}`,
        );
      }
      const a = `${payload.id}:${id}:A`;
      const b = `${payload.id}:${id}:B`;
      lines.push(`  ${id} B/A: wall ${ratio(b, a)}; CPU A/B ${ratio(a, b, cpu)} (> 1: B is cheaper)`);
    }
  }
  return lines;
}

const redis = await startBenchRedis();
const paths: Array<{ key: string; payload: string; path: StorePath }> = [];
try {
  for (const payload of payloads) {
    const add = async (name: string, id: StorePathId, which: keyof typeof kits): Promise<void> => {
      const path = await createStorePath(id, redis, `${payload.id}:${name}`, payload.data, kits[which]);
      paths.push({ key: `${payload.id}:${name}`, payload: payload.id, path });
    };
    await add('raw', 'raw', 'B');
    for (const id of kitPaths) {
      await add(`${id}:A`, id, 'A');
      await add(`${id}:B`, id, 'B');
    }
  }
  const tasks: Task[] = paths.map(({ key, path }) => ({
    key,
    run: async () => {
      await path.flow.load();
      await path.flow.save();
    },
  }));
  const lines = [
    `A = ${base}, B = ${target ?? 'working tree'}; 1-min load average ${(loadavg()[0] ?? Number.NaN).toFixed(2)} at start.`,
  ];
  // --rounds 0: only the counts below.
  if (rounds > 0) lines.push(...(await timed(tasks)));
  lines.push('', 'Per request, untimed (JS heap bytes allocated, promises created):');
  for (const { key, path } of paths) {
    const counted = await countPerRequest(path, 5000);
    lines.push(`  ${key}: ${counted.bytes.toFixed(0)} B, ${counted.promises.toFixed(1)} promises`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  for (const { path } of paths) path.client.disconnect();
  await redis.stop();
}
process.exit(0);
