import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisCluster } from '../test/servers/cluster.ts';
import { startKvBridge } from '../test/servers/kv-bridge.ts';
import { startPostgres } from '../test/servers/postgres.ts';
import { startRedis as startTestRedis } from '../test/servers/redis.ts';
import { freePort } from './server';

/**
 * The storages the demo runs on in these tests. `redis-cluster` is a local three-node Redis Cluster;
 * `kv` is the real `@vercel/kv` client against test/servers/kv-bridge.ts, a local stand-in for
 * Upstash's REST API in front of a private redis-server. `postgres` is a private PostgreSQL
 * (test/servers/postgres.ts), `sqlite` a database file in a temporary directory.
 */
export type Storage = 'cookie' | 'redis' | 'redis-cluster' | 'kv' | 'memcached' | 'postgres' | 'sqlite';

/** Storages the login / persistence / logout flows run against. */
export const STORAGES: readonly Storage[] = [
  'cookie',
  'redis',
  'redis-cluster',
  'kv',
  'memcached',
  'postgres',
  'sqlite',
];

const START_TIMEOUT_MS = 60_000; // bounds a hang only (an exit fails at once); busy hosts start slowly
const KILL_AFTER_MS = 3_000;

/**
 * A session store for one spec file: a real `redis-server`, Redis Cluster, KV
 * bridge or `memcached` on free loopback ports (nothing persisted), or nothing
 * at all for the cookie storage. `env` is what the demo needs to use it.
 */
export interface StoreServer {
  readonly storage: Storage;
  /** What the demo connects to (the bridge for kv, the first node for a cluster); 0 for the cookie storage. */
  readonly port: number;
  /** SESSION_STORAGE and the connection settings for `startServer({ env })`. */
  readonly env: Record<string, string>;
  /** Stops the store process (SIGTERM, SIGKILL after 3 s). Safe to call twice. */
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop()); resolves once it answers. */
  restart(): Promise<void>;
}

// Store processes left running if the worker dies between start and stop.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends `request` over TCP and resolves true if the reply starts with `expected`. */
function probe(port: number, request: string, expected: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(request));
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      reply += chunk;
      if (reply.length >= expected.length) done(reply.startsWith(expected));
    });
  });
}

interface ProcessSpec {
  storage: 'redis' | 'memcached';
  command: string;
  args: (port: number, dir: string) => string[];
  probe: (port: number) => Promise<boolean>;
  env: (port: number) => Record<string, string>;
}

async function startProcessStore(spec: ProcessSpec): Promise<StoreServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `nsk-e2e-${spec.storage}-`));
  let child: ChildProcess | undefined;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    mkdirSync(dir, { recursive: true });
    const proc = spawn(spec.command, spec.args(port, dir), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    running.add(proc);
    proc.once('exit', () => running.delete(proc));
    proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const spawned = new Promise<Error | undefined>((resolve) => {
      proc.once('spawn', () => resolve(undefined));
      proc.once('error', resolve);
    });
    const error = await spawned;
    if (error) throw new Error(`could not start ${spec.command}: ${error.message}`);

    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`${spec.command} exited early (code ${proc.exitCode}):\n${output}`);
      }
      if (await spec.probe(port)) return;
      if (Date.now() > deadline) {
        await stopProcess();
        throw new Error(
          `${spec.command} did not answer on port ${port} within ${START_TIMEOUT_MS} ms:\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stopProcess = async (): Promise<void> => {
    const proc = child;
    if (proc === undefined) return;
    const done = exited(proc);
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), KILL_AFTER_MS);
    await done;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };

  await launch();
  return {
    storage: spec.storage,
    port,
    env: { SESSION_STORAGE: spec.storage, ...spec.env(port) },
    stop: stopProcess,
    async restart() {
      await stopProcess();
      await launch();
    },
  };
}

function startRedis(): Promise<StoreServer> {
  return startProcessStore({
    storage: 'redis',
    command: 'redis-server',
    args: (port, dir) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    probe: (port) => probe(port, 'PING\r\n', '+PONG'),
    env: (port) => ({ REDIS_URL: `redis://127.0.0.1:${port}` }),
  });
}

function startMemcached(): Promise<StoreServer> {
  return startProcessStore({
    storage: 'memcached',
    command: 'memcached',
    args: (port) => ['-p', String(port), '-U', '0', '-l', '127.0.0.1', '-u', 'root', '-m', '64'],
    probe: (port) => probe(port, 'version\r\n', 'VERSION'),
    env: (port) => ({ MEMCACHED_SERVERS: `127.0.0.1:${port}` }),
  });
}

/**
 * Three cluster-enabled redis-servers joined into one cluster (test/servers/cluster.ts). stop() kills
 * every node; restart() starts them again on their ports, from their kept nodes.conf, and waits until
 * the cluster is healthy (the data is gone, as with the single redis-server).
 */
async function startCluster(): Promise<StoreServer> {
  const cluster = await startRedisCluster(3);
  let stopped = false;
  return {
    storage: 'redis-cluster',
    port: cluster.nodes[0]?.port ?? 0,
    // The demo's SESSION_STORAGE=redis with REDIS_CLUSTER_NODES builds an ioredis Cluster.
    env: {
      SESSION_STORAGE: 'redis',
      REDIS_CLUSTER_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all(cluster.servers.map((server) => server.kill()));
    },
    async restart() {
      await Promise.all(cluster.servers.map((server) => server.kill()));
      await Promise.all(cluster.servers.map((server) => server.start()));
      await cluster.waitHealthy();
      stopped = false;
    },
  };
}

/**
 * The KV bridge in this worker, in front of a private redis-server. stop() closes the bridge and
 * kills its redis; restart() brings both back on the same ports, with the same token.
 */
async function startKv(): Promise<StoreServer> {
  const redis = await startTestRedis();
  let bridge: Awaited<ReturnType<typeof startKvBridge>> | undefined = await startKvBridge({
    redisUrl: redis.url,
  });
  const { port, token, url } = bridge;
  return {
    storage: 'kv',
    port,
    env: { SESSION_STORAGE: 'kv', KV_REST_API_URL: url, KV_REST_API_TOKEN: token },
    async stop() {
      const running = bridge;
      bridge = undefined;
      await running?.stop();
      await redis.kill();
    },
    async restart() {
      await bridge?.stop();
      bridge = undefined;
      await redis.kill();
      await redis.start();
      bridge = await startKvBridge({ redisUrl: redis.url, token, port });
    },
  };
}

/**
 * A private PostgreSQL. stop() is a fast shutdown and restart() starts the same cluster again on the
 * same port: unlike the other stores here, every session is still there.
 */
async function startPostgresStore(): Promise<StoreServer> {
  const server = await startPostgres();
  return {
    storage: 'postgres',
    port: server.port,
    env: { SESSION_STORAGE: 'postgres', DATABASE_URL: server.url },
    // Its data directory is removed when this worker exits (test/servers/cleanup.ts).
    stop: () => server.kill(),
    async restart() {
      await server.kill();
      await server.start();
    },
  };
}

/** A SQLite file in a temporary directory; nothing to stop, and a restart of Next keeps the file. */
function startSqlite(): StoreServer {
  const dir = mkdtempSync(join(tmpdir(), 'nsk-e2e-sqlite-'));
  return {
    storage: 'sqlite',
    port: 0,
    env: { SESSION_STORAGE: 'sqlite', SQLITE_PATH: join(dir, 'sessions.db') },
    stop: async () => rmSync(dir, { recursive: true, force: true }),
    restart: async () => {},
  };
}

/** Starts what `storage` needs: a store process, or nothing for the cookie storage. */
export async function startStore(storage: Storage): Promise<StoreServer> {
  switch (storage) {
    case 'redis':
      return startRedis();
    case 'redis-cluster':
      return startCluster();
    case 'kv':
      return startKv();
    case 'memcached':
      return startMemcached();
    case 'postgres':
      return startPostgresStore();
    case 'sqlite':
      return startSqlite();
    case 'cookie':
      return {
        storage,
        port: 0,
        env: { SESSION_STORAGE: 'cookie' },
        stop: async () => {},
        restart: async () => {},
      };
  }
}
