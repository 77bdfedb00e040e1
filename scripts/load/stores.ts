import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { adoptChild, releaseChild } from '../../test/servers/cleanup.ts';
import { startRedisCluster } from '../../test/servers/cluster.ts';
import { startMemcached } from '../../test/servers/memcached.ts';
import { startPostgres } from '../../test/servers/postgres.ts';
import { parseInfo, redisCommand } from '../../test/servers/probe.ts';
import { type RedisServer, startRedis } from '../../test/servers/redis.ts';
import type { Client, Ledger } from './client.ts';

export type StorageName = 'cookie' | 'redis' | 'redis-cluster' | 'kv' | 'memcached' | 'postgres' | 'sqlite';
export const STORAGE_NAMES: readonly StorageName[] = [
  'cookie',
  'redis',
  'redis-cluster',
  'kv',
  'memcached',
  'postgres',
  'sqlite',
];

// The demo leaves the kit's default store timeout (app/lib/session.ts passes none).
export const STORE_TIMEOUT_MS = 2_000;
const NODE_READY_TIMEOUT_MS = 60_000; // bounds a hang only: a busy host is slow to answer

/** A fault injected while clients keep their load on. */
export interface Fault {
  name: string;
  /** Clients whose requests the fault should hit (default: all). */
  prepare?(clients: readonly Client[]): Promise<Set<number>>;
  inject(): Promise<void>;
  /** Undoes the fault; resolves with the `performance.now()` at which the store itself answers again. */
  restore(ledger: Ledger): Promise<number>;
  /** The store forgets every session (memcached restart): fresh sessions afterwards are by design. */
  losesSessions?: boolean;
  /** The store hangs: a 503 must come within the kit's timeout. */
  hangs?: boolean;
  /** How the fault is set up, printed under the table. */
  note: string;
}

export interface StorageSetup {
  name: StorageName;
  env: Record<string, string>;
  storeBacked: boolean;
  /** Concurrent saves of different keys of one session both survive (Redis, Cluster, KV). */
  mergesKeys: boolean;
  faults: Fault[];
  stop(): Promise<void>;
}

const now = (): number => performance.now();

/** Resolves with the `performance.now()` of the first PONG from the Redis on `port`. */
async function answering(port: number): Promise<number> {
  const deadline = now() + NODE_READY_TIMEOUT_MS;
  for (;;) {
    if ((await redisCommand(port, 'PING').catch(() => '')) === 'PONG') return now();
    if (now() > deadline) throw new Error(`redis on port ${port} did not answer PING after SIGCONT`);
    await sleep(10);
  }
}

// With save points set, a SIGTERM makes Redis write its RDB file before exiting; the restart loads it
// from the same directory even though its command line says `--save ''`.
async function persistOnShutdown(port: number): Promise<void> {
  await redisCommand(port, 'CONFIG', 'SET', 'save', '3600 1');
}

function redisFaults(redis: RedisServer): Fault[] {
  return [
    {
      name: 'redis paused (SIGSTOP)',
      note:
        'SIGSTOP/SIGCONT: connections stay open, commands wait, the kit times out after 2 s; held until a ' +
        '503 has been seen, and the store is back when it answers PING.',
      hangs: true,
      inject: async () => redis.pause(),
      restore: async () => {
        redis.resume();
        // Back when this script sees it answer, not when the signal is sent: on a busy host the
        // resumed process may wait for the CPU first.
        return answering(redis.port);
      },
    },
    {
      name: 'redis stopped+restarted',
      note:
        'SIGTERM with a save point set at runtime, so Redis writes its RDB on the way down and the restart ' +
        '(same port, same dir) loads it: a restart of a persistent Redis. A kill of a Redis without ' +
        'persistence would lose every session, which is not a kit property to test.',
      inject: async () => {
        await persistOnShutdown(redis.port);
        await redis.kill();
      },
      restore: async () => {
        await redis.start();
        return now();
      },
    },
  ];
}

/** `CLUSTER NODES` → the port serving each slot. */
async function slotOwners(port: number): Promise<Map<number, number>> {
  const owners = new Map<number, number>();
  for (const line of (await redisCommand(port, 'CLUSTER', 'NODES')).split('\n')) {
    const [, address = '', flags = '', , , , , , ...slots] = line.trim().split(' ');
    if (!flags.includes('master')) continue;
    const nodePort = Number(address.split('@')[0]?.split(':').pop());
    for (const range of slots) {
      if (range.startsWith('[')) continue;
      const [from, to = from] = range.split('-').map(Number);
      if (from === undefined || to === undefined) continue;
      for (let slot = from; slot <= to; slot++) owners.set(slot, nodePort);
    }
  }
  return owners;
}

async function clusterSetup(): Promise<StorageSetup> {
  const cluster = await startRedisCluster(3);
  const ports = cluster.servers.map((s) => s.port);
  const victimIndex = 0;
  const victim = cluster.servers[victimIndex] as RedisServer;
  const fault: Fault = {
    name: 'cluster: 1 of 3 masters down',
    note:
      'cluster-require-full-coverage set to no at runtime (by default the whole cluster answers CLUSTERDOWN ' +
      'once the dead master is marked failed, 2 s node timeout); no replicas, so only sessions whose key ' +
      'hashes to the dead master fail. Stopped with SIGTERM + RDB like redis; the store is back when the ' +
      "restarted node reports cluster_state:ok (Redis holds a restarted master's writes ~2 s by design).",
    async prepare(clients) {
      for (const port of ports)
        await redisCommand(port, 'CONFIG', 'SET', 'cluster-require-full-coverage', 'no');
      const owners = await slotOwners(ports[0] as number);
      const affected = new Set<number>();
      for (const client of clients) {
        const token = client.token();
        if (token === undefined) continue;
        // The kit's key layout (docs/stores.md, "What every store guarantees"): prefix + "s:" + SHA-256(token).
        const key = `sess:s:${createHash('sha256').update(token).digest('base64url')}`;
        const slot = Number(await redisCommand(ports[0] as number, 'CLUSTER', 'KEYSLOT', key));
        const owner = owners.get(slot);
        if (owner === undefined || (await redisCommand(owner, 'EXISTS', key)) !== '1') {
          throw new Error(`cannot find client ${client.index}'s session key in the cluster`);
        }
        if (owner === victim.port) affected.add(client.index);
      }
      return affected;
    },
    inject: async () => {
      await persistOnShutdown(victim.port);
      await victim.kill();
    },
    restore: async () => {
      await victim.start();
      const deadline = now() + NODE_READY_TIMEOUT_MS;
      for (;;) {
        const info = parseInfo(await redisCommand(victim.port, 'CLUSTER', 'INFO').catch(() => ''));
        if (info.get('cluster_state') === 'ok') return now();
        if (now() > deadline) throw new Error('the restarted cluster node never reported cluster_state:ok');
        await sleep(10);
      }
    },
  };
  return {
    name: 'redis-cluster',
    env: {
      SESSION_STORAGE: 'redis',
      REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
    },
    storeBacked: true,
    mergesKeys: true,
    faults: [fault],
    stop: () => cluster.stop(),
  };
}

interface BridgeProcess {
  url: string;
  token: string;
  setMode(mode: 'ok' | 'error' | 'hang'): Promise<void>;
  stop(): Promise<void>;
}

/** The KV REST bridge in its own process (kv-bridge-process.ts), driven over stdin/stdout. */
async function startBridgeProcess(redisUrl: string): Promise<BridgeProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./kv-bridge-process.ts', import.meta.url)), redisUrl],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  adoptChild(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const waiters: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiters.shift()?.(line));
  const nextLine = (): Promise<string> =>
    Promise.race([
      new Promise<string>((resolve) => waiters.push(resolve)),
      exited.then(() => Promise.reject(new Error('the kv bridge process exited'))),
    ]);
  const { url, token } = JSON.parse(await nextLine()) as { url: string; token: string };
  return {
    url,
    token,
    async setMode(mode) {
      child.stdin.write(`${mode}\n`);
      const answer = await nextLine();
      if (answer !== `mode ${mode}`) throw new Error(`kv bridge answered ${answer}`);
    },
    async stop() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
      releaseChild(child);
    },
  };
}

/** Starts what a storage needs (nothing for the cookie storage). */
export async function startStorage(name: StorageName): Promise<StorageSetup> {
  switch (name) {
    case 'cookie':
      return {
        name,
        env: { SESSION_STORAGE: 'cookie' },
        storeBacked: false,
        mergesKeys: false,
        faults: [],
        stop: async () => {},
      };
    case 'redis': {
      const redis = await startRedis();
      return {
        name,
        env: { SESSION_STORAGE: 'redis', REDIS_URL: redis.url },
        storeBacked: true,
        mergesKeys: true,
        faults: redisFaults(redis),
        stop: () => redis.stop(),
      };
    }
    case 'redis-cluster':
      return clusterSetup();
    case 'kv': {
      const backing = await startRedis();
      const bridge = await startBridgeProcess(backing.url).catch(async (error: unknown) => {
        await backing.stop();
        throw error;
      });
      const mode = (name: string, m: 'error' | 'hang', note: string, hangs: boolean): Fault => ({
        name,
        note,
        hangs,
        inject: () => bridge.setMode(m),
        restore: async () => {
          await bridge.setMode('ok');
          return now();
        },
      });
      return {
        name,
        env: { SESSION_STORAGE: 'kv', KV_REST_API_URL: bridge.url, KV_REST_API_TOKEN: bridge.token },
        storeBacked: true,
        mergesKeys: true,
        faults: [
          mode('kv: bridge answers 500', 'error', 'setMode("error"): every REST call gets HTTP 500.', false),
          mode(
            'kv: bridge hangs',
            'hang',
            'setMode("hang"): REST calls never get an answer; the kit times out (2 s, the default).',
            true,
          ),
        ],
        stop: async () => {
          await bridge.stop();
          await backing.stop();
        },
      };
    }
    case 'memcached': {
      const memcached = await startMemcached();
      return {
        name,
        env: { SESSION_STORAGE: 'memcached', MEMCACHED_SERVERS: memcached.url },
        storeBacked: true,
        mergesKeys: true,
        faults: [
          {
            name: 'memcached restarted',
            note:
              'killed, then started empty on the same port: sessions are lost by design; affected clients ' +
              'must get a clean fresh session (200, isNew, new id), and sign in again.',
            losesSessions: true,
            inject: () => memcached.kill(),
            restore: async (ledger) => {
              ledger.freshAllowedAfter = now();
              await memcached.start();
              return now();
            },
          },
        ],
        stop: () => memcached.stop(),
      };
    }
    case 'postgres': {
      const postgres = await startPostgres();
      return {
        name,
        env: { SESSION_STORAGE: 'postgres', DATABASE_URL: postgres.url },
        storeBacked: true,
        mergesKeys: true,
        faults: [
          {
            name: 'postgres stopped+restarted',
            note:
              'fast shutdown (SIGINT: connections cut, committed rows kept), then the same cluster started ' +
              'again on the same port: no session may be lost; the store is back once it answers queries.',
            inject: () => postgres.kill(),
            restore: async () => {
              await postgres.start();
              return now();
            },
          },
        ],
        stop: () => postgres.stop(),
      };
    }
    case 'sqlite': {
      const dir = mkdtempSync(join(tmpdir(), 'nsk-load-sqlite-'));
      return {
        name,
        env: { SESSION_STORAGE: 'sqlite', SQLITE_PATH: join(dir, 'sessions.db') },
        storeBacked: true,
        mergesKeys: true,
        // A file on the local disk: nothing to stop or partition.
        faults: [],
        stop: async () => rmSync(dir, { recursive: true, force: true }),
      };
    }
  }
}
