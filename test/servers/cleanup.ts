import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Last-resort cleanup for when teardown never runs. Exit hooks cover crashes and signals; a watchdog
// process covers SIGKILL / OOM kills of the owner: when its stdin closes it kills every registered
// pid and removes every registered directory.
const WATCHDOG_SOURCE = `
const items = new Set();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\\n');
  pending = lines.pop();
  for (const line of lines) line[0] === '+' ? items.add(line.slice(1)) : items.delete(line.slice(1));
});
process.stdin.on('close', () => {
  const all = [...items];
  for (const pid of all.filter((i) => /^\\d+$/.test(i))) try { process.kill(Number(pid), 'SIGKILL'); } catch {}
  for (const dir of all.filter((i) => i.startsWith('/'))) {
    try { require('node:fs').rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch {}
  }
  process.exit(0);
});
`;

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let watchdog: ChildProcess | undefined;

function tellWatchdog(line: string): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], { stdio: ['pipe', 'ignore', 'ignore'] });
    watchdog.unref();
    if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
    watchdog.stdin?.on('error', () => {});
    installExitHooks();
  }
  watchdog.stdin?.write(`${line}\n`);
}

function cleanUpNow(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const dir of dirs) {
    try {
      // A just-killed server may still be writing into it; retry instead of throwing from an exit hook.
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {}
  }
  dirs.clear();
}

function installExitHooks(): void {
  process.on('exit', cleanUpNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanUpNow();
      // Only re-raise when nobody else (e.g. vitest) handles the signal, to keep default behaviour.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

export function adoptChild(child: ChildProcess): void {
  if (child.pid === undefined) return;
  children.add(child);
  tellWatchdog(`+${child.pid}`);
}

export function releaseChild(child: ChildProcess): void {
  if (!children.delete(child)) return;
  tellWatchdog(`-${child.pid}`);
}

export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.add(dir);
  tellWatchdog(`+${dir}`);
  return dir;
}

export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  dirs.delete(dir);
  tellWatchdog(`-${dir}`);
}
