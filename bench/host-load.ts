import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

// How busy the host was while a benchmark ran, apart from the benchmark
// itself: all CPU time the kernel counted (/proc/stat) minus that of this
// process and everything it started (its descendants: servers, Redis, the
// KV bridge, a --busy spinner). Linux only; elsewhere the figures are NaN.

interface Sample {
  readonly at: number;
  /** Busy jiffies of all CPUs (everything but idle and iowait). */
  readonly hostBusy: number;
  /** Jiffies of this process tree, by pid. */
  readonly tree: Map<number, number>;
  readonly load1: number;
}

const TICKS_PER_SECOND = 100;

function hostBusyTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** utime + stime of this process and its descendants, by pid. */
function treeTicks(): Map<number, number> {
  const parents = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parents.set(Number(entry), Number(fields[1]));
    ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
  }
  const ours = new Map<number, number>();
  const isOurs = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
      if (p === process.pid) return true;
      p = parents.get(p);
    }
    return false;
  };
  for (const [pid, t] of ticks) if (isOurs(pid)) ours.set(pid, t);
  return ours;
}

function sample(): Sample {
  const linux = existsSync('/proc/stat');
  return {
    at: Date.now(),
    hostBusy: linux ? hostBusyTicks() : Number.NaN,
    tree: linux ? treeTicks() : new Map(),
    load1: loadavg()[0] ?? Number.NaN,
  };
}

/** The host's load over a measured stretch. */
export interface HostLoad {
  readonly cores: number;
  /** 1-minute load average at the start and at the end (it counts the benchmark's own processes too). */
  readonly loadAverage: readonly [number, number];
  /** CPU time of every other process on the host, in cores (0 = a quiet host, 1 = one core's worth). */
  readonly otherCores: number;
  /** CPU time of this benchmark's process tree, in cores. */
  readonly benchCores: number;
}

/** Starts measuring; `stop()` returns the load between the two calls. */
export function watchHostLoad(): { stop(): HostLoad } {
  const first = sample();
  return {
    stop() {
      const last = sample();
      const seconds = (last.at - first.at) / 1000;
      let ours = 0;
      // A process that exited in between is missed: only the long-lived ones matter here.
      for (const [pid, ticks] of last.tree) ours += ticks - (first.tree.get(pid) ?? 0);
      const busy = last.hostBusy - first.hostBusy;
      const toCores = (ticks: number): number => ticks / TICKS_PER_SECOND / seconds;
      return {
        cores: cpus().length,
        loadAverage: [first.load1, last.load1],
        otherCores: Math.max(0, toCores(busy - ours)),
        benchCores: toCores(ours),
      };
    },
  };
}

/** "other processes used 0.9 of the 2 cores (load average 3.1 → 4.0)". */
export function hostLoadText(load: HostLoad): string {
  if (!Number.isFinite(load.otherCores)) return 'host load not measured (no /proc)';
  return (
    `other processes on the host used ${load.otherCores.toFixed(2)} of its ${load.cores} cores on average ` +
    `(the bench itself ${load.benchCores.toFixed(2)}; 1-minute load average ${load.loadAverage[0].toFixed(1)} → ` +
    `${load.loadAverage[1].toFixed(1)})`
  );
}

/** The processes `--busy` keeps running on the other cores. */
export interface BusyLoad {
  readonly workers: number;
  stop(): Promise<void>;
}

// What a neighbour on a shared host does: allocate, serialise, hash. Not a
// bare `for (;;) {}`, which would leave the caches and the memory bus alone.
const SPIN = `
const { createHash } = require('node:crypto');
const data = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'item-' + i, tags: ['a', 'b', 'c'] })) };
for (;;) {
  const text = JSON.stringify(data);
  createHash('sha256').update(text).digest('hex');
  JSON.parse(text);
}
`;

/**
 * Starts `workers` processes that keep one core each busy until `stop()`:
 * `npm run bench -- --busy` measures with the other core(s) of the host taken,
 * as on a shared CI runner or a busy server.
 */
export async function startBusyLoad(workers: number): Promise<BusyLoad> {
  const { spawn } = await import('node:child_process');
  const children = Array.from({ length: workers }, () =>
    spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore' }),
  );
  const kill = (): void => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  return {
    workers,
    async stop() {
      process.off('exit', kill);
      const exits = children
        .filter((child) => child.exitCode === null && child.signalCode === null)
        .map((child) => new Promise((resolve) => child.once('exit', resolve)));
      kill();
      await Promise.all(exits);
    },
  };
}
