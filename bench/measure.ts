/** One timed operation: a seal or open of one payload by one codec. */
export interface Task {
  readonly key: string;
  readonly run: () => Promise<unknown>;
}

export interface Schedule {
  readonly rounds: number;
  /** Time each task gets per round, split into `slicesPerRound` slices. */
  readonly msPerRound: number;
  readonly slicesPerRound: number;
  readonly warmupMs: number;
}

interface Tally {
  calls: number;
  nanos: bigint;
  /** This process's CPU time (user + system) during the slices, µs. */
  cpuMicros: number;
}

/** Runs `task` back to back (each call awaited) for about `ms`. */
async function timeSlice(task: Task, ms: number, tally: Tally): Promise<void> {
  const budget = BigInt(Math.round(ms * 1e6));
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    await task.run();
    tally.calls++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  tally.nanos += elapsed;
  const used = process.cpuUsage(cpu);
  tally.cpuMicros += used.user + used.system;
}

/** `items` rotated to start at `offset`, reversed when `flip`. */
function rotated<T>(items: readonly T[], offset: number, flip: boolean): T[] {
  const start = offset % items.length;
  const order = [...items.slice(start), ...items.slice(0, start)];
  return flip ? order.reverse() : order;
}

/**
 * Warms every task up, then measures all of them in `rounds` rounds. Within
 * a round the tasks take turns in short slices, so a burst of load from a
 * neighbour on the host is shared by every task instead of landing on one;
 * each slice starts the cycle at a different task and alternates direction.
 * Returns each task's ops/s per round, in round order; `cpu`, if given,
 * receives each task's CPU time per call (µs) per round: on a shared host
 * that figure moves far less than the wall-clock rate, since time spent
 * waiting for a core is not counted.
 */
export async function measureInterleaved(
  tasks: readonly Task[],
  schedule: Schedule,
  onRound: (round: number) => void,
  cpu?: Map<string, number[]>,
): Promise<Map<string, number[]>> {
  const warm: Tally = { calls: 0, nanos: 0n, cpuMicros: 0 };
  for (const task of tasks) await timeSlice(task, schedule.warmupMs, warm);

  const rates = new Map<string, number[]>(tasks.map((task) => [task.key, []]));
  const sliceMs = schedule.msPerRound / schedule.slicesPerRound;
  const stride = Math.max(1, Math.floor(tasks.length / schedule.slicesPerRound));
  let turn = 0;
  for (let round = 0; round < schedule.rounds; round++) {
    onRound(round);
    const tallies = new Map<string, Tally>(
      tasks.map((task) => [task.key, { calls: 0, nanos: 0n, cpuMicros: 0 }]),
    );
    for (let slice = 0; slice < schedule.slicesPerRound; slice++, turn++) {
      for (const task of rotated(tasks, turn * stride, turn % 2 === 1)) {
        const tally = tallies.get(task.key);
        if (tally) await timeSlice(task, sliceMs, tally);
      }
    }
    for (const [key, tally] of tallies) {
      rates.get(key)?.push((tally.calls * 1e9) / Number(tally.nanos));
      if (cpu !== undefined) {
        const perCall = cpu.get(key) ?? [];
        perCall.push(tally.cpuMicros / tally.calls);
        cpu.set(key, perCall);
      }
    }
  }
  return rates;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** (max − min) / median: how much the rounds disagreed. */
export function spread(values: readonly number[]): number {
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/** A ratio between two tasks: median and range over the rounds. */
export interface RatioStats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Ratio of two tasks taken round by round. Both shared the same round, so a
 * slow round cancels out instead of skewing a ratio of two medians.
 */
export function pairedRatio(ours: readonly number[], theirs: readonly number[]): RatioStats {
  const ratios = ours.map((value, round) => value / (theirs[round] ?? Number.NaN));
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}
