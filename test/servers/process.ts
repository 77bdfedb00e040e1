import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { adoptChild, releaseChild } from './cleanup.ts';

const STOP_GRACE_MS = 3_000;
// Only bounds a server that is up but never answers (one that exits fails at once): on a shared 2-core
// host under heavy load a start can take far longer than on an idle one.
const READY_TIMEOUT_MS = 60_000;
const LOG_LINES = 40;

export function requireBinaries(...names: string[]): void {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const isExecutable = (path: string): boolean => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const missing = names.filter((name) => !dirs.some((dir) => isExecutable(join(dir, name))));
  if (missing.length > 0) {
    throw new Error(
      `Test servers need ${missing.join(', ')} on PATH. Install them with: apt-get install -y redis-server memcached`,
    );
  }
}

export interface ServerProcess {
  readonly pid: number | undefined;
  hasExited(): boolean;
  log(): string;
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnServer(command: string, args: readonly string[], cwd?: string): ServerProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  adoptChild(child);
  const lines: string[] = [];
  const collect = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - LOG_LINES));
  };
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    const done = (): void => {
      exited = true;
      releaseChild(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      lines.push(String(error));
      if (child.pid === undefined) done();
    });
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', collect);
    // A forgotten server must not keep a test worker alive; the exit hook kills it instead.
    if (stream instanceof Socket) stream.unref();
  }
  child.unref();

  return {
    pid: child.pid,
    hasExited: () => exited,
    log: () => lines.join('\n'),
    signal: (signal) => {
      if (!exited) child.kill(signal);
    },
    stop: async (graceMs = STOP_GRACE_MS) => {
      if (exited) return;
      // A SIGSTOPped process would not act on SIGTERM until continued.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** Polls `check` until it returns true; fails fast with the server's log if the process dies. */
export async function waitReady(
  what: string,
  proc: ServerProcess,
  check: () => Promise<boolean>,
  timeoutMs = READY_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.hasExited()) throw new Error(`${what} exited during startup:\n${proc.log()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${timeoutMs} ms:\n${proc.log()}`);
    await delay(20);
  }
}

export function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && error.message.includes('Address already in use');
}

/** Lifecycle shared by every server: `kill()`/`start()` keep the port (and any state dir) for outage tests. */
export interface Lifecycle {
  pid(): number | undefined;
  kill(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  pause(): void;
  resume(): void;
  /** Final: kills the process and removes its files. */
  stop(): Promise<void>;
}

export async function lifecycle(
  launch: () => Promise<ServerProcess>,
  cleanup: () => Promise<void> = async () => {},
): Promise<Lifecycle> {
  let proc: ServerProcess | undefined = await launch();
  const kill = async (): Promise<void> => {
    const current = proc;
    proc = undefined;
    await current?.stop();
  };
  const start = async (): Promise<void> => {
    if (proc && !proc.hasExited()) return;
    proc = await launch();
  };
  return {
    pid: () => proc?.pid,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    pause: () => proc?.signal('SIGSTOP'),
    resume: () => proc?.signal('SIGCONT'),
    stop: async () => {
      await kill();
      await cleanup();
    },
  };
}
