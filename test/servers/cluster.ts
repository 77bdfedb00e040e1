import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { HOST } from './ports.ts';
import { parseInfo, redisCommand } from './probe.ts';
import { requireBinaries } from './process.ts';
import { type RedisServer, startRedis } from './redis.ts';

const SLOTS = 16_384;
const HEALTHY_TIMEOUT_MS = 60_000; // bounds a hang only; a busy host is slow to converge

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

export interface RedisCluster {
  readonly nodes: ClusterNodeAddress[];
  readonly servers: readonly RedisServer[];
  stop(): Promise<void>;
  /** Kills one master; with no replicas the cluster goes `fail` after the 2 s node timeout. */
  stopNode(index: number): Promise<void>;
  /** Restarts a node on its port; it rejoins from its kept `nodes.conf` (its data is gone). */
  startNode(index: number): Promise<void>;
  waitHealthy(): Promise<void>;
}

async function isHealthy(port: number, size: number): Promise<boolean> {
  const info = parseInfo(await redisCommand(port, 'CLUSTER', 'INFO'));
  return (
    info.get('cluster_state') === 'ok' &&
    info.get('cluster_slots_assigned') === String(SLOTS) &&
    info.get('cluster_slots_ok') === String(SLOTS) &&
    info.get('cluster_known_nodes') === String(size)
  );
}

async function waitHealthy(servers: readonly RedisServer[]): Promise<void> {
  const deadline = Date.now() + HEALTHY_TIMEOUT_MS;
  for (;;) {
    const checks = await Promise.all(
      servers.map((s) => isHealthy(s.port, servers.length).catch(() => false)),
    );
    if (checks.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`redis cluster not healthy after ${HEALTHY_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startRedisCluster(size = 3): Promise<RedisCluster> {
  requireBinaries('redis-server', 'redis-cli');
  const settled = await Promise.allSettled(Array.from({ length: size }, () => startRedis({ cluster: true })));
  const servers = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const failed = settled.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    await promisify(execFile)(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...servers.map((s) => `${HOST}:${s.port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { timeout: HEALTHY_TIMEOUT_MS },
    );
    await waitHealthy(servers);
  } catch (error) {
    await stop();
    throw error;
  }

  const server = (index: number): RedisServer => {
    const found = servers[index];
    if (!found) throw new RangeError(`no cluster node ${index}`);
    return found;
  };
  return {
    nodes: servers.map((s) => ({ host: s.host, port: s.port })),
    servers,
    stop,
    stopNode: (index) => server(index).kill(),
    startNode: async (index) => {
      await server(index).start();
      if (servers.every((s) => s.pid() !== undefined)) await waitHealthy(servers);
    },
    waitHealthy: () => waitHealthy(servers),
  };
}
