import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { adoptChild, makeTempDir, releaseChild, removeTempDir } from './cleanup.ts';
import { freePort, HOST } from './ports.ts';

/**
 * A private PostgreSQL from the system's packages (Debian's `postgresql`): its own data directory in a
 * temporary directory, on a free loopback port, trust authentication for user `postgres`, no fsync.
 * `kill()` is a fast shutdown (every committed row survives it) and `start()` brings the same cluster back
 * on the same port, so outage tests can stop and restart it; `stop()` also removes its files.
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly dataDir: string;
  pid(): number | undefined;
  /** Fast shutdown (SIGINT): sessions are cut, committed data is kept. Resolves once the server is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it answers queries. */
  start(): Promise<void>;
  /** Final: shuts the server down and removes its files. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000; // bounds a hang only; a start on a busy host is slow
const STOP_GRACE_MS = 10_000;
const LOG_LINES = 40;

/** The directory of `initdb` and `postgres`: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv !== undefined && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      'Test servers need PostgreSQL (initdb, postgres). Install it with: apt-get install -y postgresql ' +
        '(or set PG_BIN to the directory holding initdb and postgres).',
    );
  }
  return join(root, newest, 'bin');
}

/** initdb and postgres refuse to run as root: as root, run them as the `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function answers(port: number, dataDir: string): Promise<boolean> {
  // Bounded: a server that accepts the connection but never answers (starting, or stopped
  // with SIGSTOP) must make this probe fail and be retried, not hang the caller.
  const client = new pg.Client({
    host: HOST,
    port,
    user: 'postgres',
    database: 'postgres',
    connectionTimeoutMillis: 5_000,
    query_timeout: 5_000,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    // Proves the answer comes from our cluster, not whoever else owns the port.
    const { rows } = await client.query<{ setting: string }>(
      "SELECT setting FROM pg_settings WHERE name = 'data_directory'",
    );
    return rows[0]?.setting === dataDir;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Starts a private PostgreSQL; see {@link PostgresServer}. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = runAs();
  const dir = await makeTempDir('nsk-postgres-');
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const dataDir = join(dir, 'data');
  try {
    execFileSync(
      join(bin, 'initdb'),
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
        '--no-instructions',
      ],
      { ...user, stdio: ['ignore', 'ignore', 'pipe'], cwd: dir },
    );
  } catch (error) {
    await removeTempDir(dir);
    throw new Error(`initdb failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  let lines: string[] = [];

  const launch = async (): Promise<void> => {
    lines = [];
    const args = [
      ['-D', dataDir],
      ['-p', String(port)],
      ['-k', dir],
      ['-c', `listen_addresses=${HOST}`],
      ['-c', 'fsync=off'],
      ['-c', 'synchronous_commit=off'],
      ['-c', 'full_page_writes=off'],
      ['-c', 'max_connections=200'],
      ['-c', 'shared_buffers=128MB'],
    ].flat();
    const proc = spawn(join(bin, 'postgres'), args, { ...user, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    adoptChild(proc);
    proc.once('exit', () => releaseChild(proc));
    const collect = (chunk: Buffer): void => {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - LOG_LINES));
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.unref();
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`postgres :${port} exited during startup:\n${lines.join('\n')}`);
      }
      if (await answers(port, dataDir)) return;
      if (Date.now() > deadline) {
        await shutDown();
        throw new Error(`postgres :${port} not ready after ${READY_TIMEOUT_MS} ms:\n${lines.join('\n')}`);
      }
      await delay(50);
    }
  };

  // SIGINT is PostgreSQL's fast shutdown: a SIGTERM would wait for every client to disconnect.
  const shutDown = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGINT');
    // Immediate shutdown, then a kill, if it does not go.
    const quit = setTimeout(() => proc.kill('SIGQUIT'), STOP_GRACE_MS);
    const kill = setTimeout(() => proc.kill('SIGKILL'), STOP_GRACE_MS * 2);
    await exited;
    clearTimeout(quit);
    clearTimeout(kill);
  };

  try {
    await launch();
  } catch (error) {
    await removeTempDir(dir);
    throw error;
  }
  return {
    host: HOST,
    port,
    url: `postgres://postgres@${HOST}:${port}/postgres`,
    dataDir,
    pid: () => child?.pid,
    kill: shutDown,
    start: async () => {
      if (child !== undefined) return;
      await launch();
    },
    stop: async () => {
      await shutDown();
      await removeTempDir(dir);
    },
  };
}

/** The PostgreSQL version a server runs, e.g. `15.14`. */
export function postgresVersion(): string {
  const out = execFileSync(join(postgresBinDir(), 'postgres'), ['--version'], { encoding: 'utf8' });
  return /(\d+(?:\.\d+)*)/.exec(out)?.[1] ?? out.trim();
}

/** The postmaster's pid as its data directory records it (for checks that a server really restarted). */
export function postmasterPid(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}
