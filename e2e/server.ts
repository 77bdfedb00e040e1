import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nextBin = join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
const START_TIMEOUT_MS = 30_000;
const KILL_AFTER_MS = 3_000;

/** A random secret for one test run (base64url of 32 bytes: 43 characters). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface StartOptions {
  /** SESSION_SECRET for the server; omitted means unset (production refuses the cookie storage then). */
  secret?: string;
  /** Reuse a port, e.g. to restart "the same" server. A free one otherwise. */
  port?: number;
  /** Extra environment variables, e.g. a store's `env` (SESSION_STORAGE and its connection). */
  env?: Record<string, string>;
  /**
   * When the server counts as started, from the status of `GET /login`.
   * Default: any 2xx. A test of a broken configuration can wait for its 500.
   */
  ready?: (status: number) => boolean;
  /** `start` (default): the built demo in production. `dev`: `next dev`, in development. */
  mode?: 'start' | 'dev';
}

/** Settings the demo reads; never inherited from the shell running the tests. */
const DEMO_ENV = [
  'SESSION_SECRET',
  'SESSION_STORAGE',
  'REDIS_URL',
  'REDIS_CLUSTER_NODES',
  'KV_REST_API_URL',
  'KV_REST_API_TOKEN',
  'MEMCACHED_SERVERS',
  'DATABASE_URL',
  'SQLITE_PATH',
  'SESSION_IDLE_TIMEOUT',
  'SESSION_MAX_AGE',
  'DEMO_CHECKS',
  'DEMO_TRACE',
  'SESSION_MIGRATE',
  'IRON_SESSION_PASSWORD',
  'AUTH_SECRET',
  'SETTINGS_FRESH_SECONDS',
];

/** A `next start` of the built demo on 127.0.0.1. */
export interface DemoServer {
  readonly port: number;
  readonly origin: string;
  /** Absolute URL of a path on this server. */
  url(path?: string): string;
  /** Everything the server printed so far (stdout and stderr). */
  logs(): string;
  /** SIGTERM, then SIGKILL after 3 s. Safe to call twice. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function assertBuilt(): void {
  if (!existsSync(join(root, '.next', 'BUILD_ID'))) {
    throw new Error(
      'The demo is not built: .next/BUILD_ID is missing. Run `NEXT_TELEMETRY_DISABLED=1 npx next build` ' +
        'before `npx playwright test`.',
    );
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts the built demo with the given environment and waits until `/login` answers. */
export async function startServer(options: StartOptions = {}): Promise<DemoServer> {
  const dev = options.mode === 'dev';
  if (!dev) assertBuilt();
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;

  // `next start` runs in production. The secret and the storage are never
  // inherited: each test picks its own (no SESSION_STORAGE means the cookie storage).
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of DEMO_ENV) delete env[name];
  // `next dev` sets NODE_ENV=development itself.
  if (dev) Reflect.deleteProperty(env, 'NODE_ENV');
  Object.assign(env, dev ? {} : { NODE_ENV: 'production' }, { NEXT_TELEMETRY_DISABLED: '1' }, options.env);
  if (options.secret !== undefined) env.SESSION_SECRET = options.secret;
  const ready = options.ready ?? ((status: number) => status >= 200 && status < 300);

  // Own process group, so stop() also ends anything `next start` forks.
  const command = dev ? 'dev' : 'start';
  const child = spawn(process.execPath, [nextBin, command, '-p', String(port), '-H', '127.0.0.1'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });

  const signal = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const done = exited(child);
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), KILL_AFTER_MS);
      await done;
      clearTimeout(timer);
    })();
    return stopping;
  };

  // `next dev` compiles /login on its first request.
  const startTimeout = dev ? 4 * START_TIMEOUT_MS : START_TIMEOUT_MS;
  const deadline = Date.now() + startTimeout;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `next ${command} exited early (code ${child.exitCode}, signal ${child.signalCode}):\n${output}`,
      );
    }
    try {
      const res = await fetch(`${origin}/login`, { signal: AbortSignal.timeout(dev ? 60_000 : 2_000) });
      await res.arrayBuffer();
      if (ready(res.status)) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`next ${command} did not answer ${origin}/login within ${startTimeout} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    port,
    origin,
    url: (path = '/') => new URL(path, origin).toString(),
    logs: () => output,
    stop,
  };
}
