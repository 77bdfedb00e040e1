import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;

/** A redis-server the bench started for itself. */
export interface BenchRedis {
  readonly host: string;
  readonly port: number;
  readonly version: string;
  /** Kills the server and removes its directory; safe to call more than once. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address for a free port');
  return address.port;
}

/** Sends one inline command and returns the whole reply (enough for PING and INFO). */
function inlineCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      // Simple (+) replies end at the first CRLF; bulk ($n) replies once n bytes arrived.
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      const done = bulk ? reply.length >= bulk[0].length + Number(bulk[1]) + 2 : reply.includes('\r\n');
      if (done) {
        socket.end();
        resolve(reply);
      }
    });
    socket.connect(port, HOST, () => socket.write(`${command}\r\n`));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `redis-server` on a free loopback port with no persistence, in its
 * own temporary directory. The caller must `stop()` it; if the bench dies
 * without doing so, the exit hook still kills the process.
 */
export async function startBenchRedis(): Promise<BenchRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'nsk-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir, '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'warning');
  const child = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-4_000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited(child);
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawnError !== undefined) {
        throw new Error(
          `could not start redis-server (${spawnError.message}); install it: apt-get install -y redis-server`,
        );
      }
      if (child.exitCode !== null) throw new Error(`redis-server exited during startup:\n${log}`);
      const pong = await inlineCommand(port, 'PING').catch(() => '');
      if (pong.startsWith('+PONG')) break;
      if (Date.now() > deadline)
        throw new Error(`redis-server not ready after ${READY_TIMEOUT_MS} ms:\n${log}`);
      await delay(20);
    }
    const info = await inlineCommand(port, 'INFO server');
    // Another process could have taken the port between probing and binding.
    if (!info.includes(`process_id:${child.pid}\r\n`))
      throw new Error(`port ${port} answered by another server`);
    const version = /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
    return { host: HOST, port, version, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
