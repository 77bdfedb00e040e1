import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

// Builds the demo (with the bench routes) into .next-bench, never .next: the
// e2e tests run against .next and may be running right now.
export const DIST_DIR = '.next-bench';
const root = fileURLToPath(new URL('../../', import.meta.url));
const nextBin = fileURLToPath(new URL('node_modules/next/dist/bin/next', `file://${root}`));
const START_TIMEOUT_MS = 60_000;
const KILL_AFTER_MS = 3_000;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * `next build` into .next-bench. Next rewrites next-env.d.ts for the dist dir
 * it builds; that file is put back afterwards so type checks elsewhere keep
 * pointing at .next. Serialised with the other builds on this machine
 * (/tmp/nsk-next.lock) when `flock` is available.
 */
export async function buildApp(log: (message: string) => void): Promise<void> {
  const envFile = `${root}next-env.d.ts`;
  const envBefore = existsSync(envFile) ? readFileSync(envFile, 'utf8') : undefined;
  const tsconfigBefore = readFileSync(`${root}tsconfig.json`, 'utf8');
  const withLock = existsSync('/usr/bin/flock');
  const command = withLock ? 'flock' : process.execPath;
  const args = withLock ? ['/tmp/nsk-next.lock', process.execPath, nextBin, 'build'] : [nextBin, 'build'];
  log(`next build → ${DIST_DIR}/ (${withLock ? 'waiting for /tmp/nsk-next.lock, ' : ''}takes a minute)`);
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, NEXT_DIST_DIR: DIST_DIR, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const code = await exited(child);
  if (envBefore !== undefined && readFileSync(envFile, 'utf8') !== envBefore)
    writeFileSync(envFile, envBefore);
  if (readFileSync(`${root}tsconfig.json`, 'utf8') !== tsconfigBefore) {
    log('warning: next build changed tsconfig.json (its "include" lacks the .next-bench entries?)');
  }
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.slice(-6_000)}`);
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** A `next start` of the bench build. */
export interface BenchServer {
  readonly origin: string;
  readonly pid: number;
  /** CPU time (user + system, µs) of every process of the server's process group so far. */
  cpuMicros(): number;
  logs(): string;
  stop(): Promise<void>;
}

const TICKS_PER_SECOND = 100;

/** Sums utime + stime of the processes in group `pgid`, from /proc (Linux); NaN elsewhere. */
function groupCpuMicros(pgid: number): number {
  if (!existsSync('/proc/self/stat')) return Number.NaN;
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

export interface StartOptions {
  env: Record<string, string>;
  /** `taskset -c <cpus>` for the server, e.g. "0". */
  cpus?: string | undefined;
  /** Extra flags for the server's Node (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: readonly string[] | undefined;
  /** Path that must answer 200 before the server counts as started. */
  readyPath: string;
  readyHeaders: Record<string, string>;
  /** The ready path's method (a write route answers only POST). */
  readyMethod?: 'GET' | 'POST' | undefined;
  /** Another Next app to start (its own node_modules/next and default .next), instead of this repository's bench build. */
  cwd?: string | undefined;
}

export async function startApp(options: StartOptions): Promise<BenchServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ...(options.cwd === undefined ? { NEXT_DIST_DIR: DIST_DIR } : {}),
  };
  const bin = options.cwd === undefined ? nextBin : `${options.cwd}/node_modules/next/dist/bin/next`;
  const next = [...(options.nodeArgs ?? []), bin, 'start', '-p', String(port), '-H', '127.0.0.1'];
  const [command, args] =
    options.cpus === undefined
      ? [process.execPath, next]
      : ['taskset', ['-c', options.cpus, process.execPath, ...next]];
  // Its own process group: stop() ends everything `next start` forks, and CPU time is summed over it.
  const child = spawn(command, args, {
    cwd: options.cwd ?? root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn next start');
  let output = '';
  const collect = (chunk: string): void => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout?.setEncoding('utf8').on('data', collect);
  child.stderr?.setEncoding('utf8').on('data', collect);
  const signal = (sig: NodeJS.Signals): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  const killOnExit = (): void => signal('SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      const done = exited(child);
      // SIGINT lets Node write --cpu-prof profiles on the way out.
      signal('SIGINT');
      const timer = setTimeout(() => signal('SIGKILL'), KILL_AFTER_MS);
      await done;
      clearTimeout(timer);
    })();
    return stopping;
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`next start exited early (code ${child.exitCode}):\n${output}`);
    }
    try {
      const response = await fetch(origin + options.readyPath, {
        method: options.readyMethod ?? 'GET',
        headers: options.readyHeaders,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      if (response.status === 200) break;
      if (response.status === 404) {
        await stop();
        throw new Error(
          `${options.readyPath} answered 404: was ${DIST_DIR} built from this tree?\n${output}`,
        );
      }
    } catch (error) {
      if (error instanceof Error && error.message.includes('answered 404')) throw error;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next start did not answer within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { origin, pid, cpuMicros: () => groupCpuMicros(pid), logs: () => output, stop };
}
