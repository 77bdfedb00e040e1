import { makeTempDir, removeTempDir } from './cleanup.ts';
import { freePorts, HOST } from './ports.ts';
import { parseInfo, redisCommand } from './probe.ts';
import {
  isAddressInUse,
  type Lifecycle,
  lifecycle,
  requireBinaries,
  type ServerProcess,
  spawnServer,
  waitReady,
} from './process.ts';

export interface RedisOptions {
  /** Adds `--cluster-enabled yes` with its own bus port (for `cluster.ts`). */
  cluster?: boolean;
}

export interface RedisServer extends Lifecycle {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly clusterPort: number | undefined;
}

const START_ATTEMPTS = 3;
const CLUSTER_NODE_TIMEOUT_MS = 2_000;

function redisArgs(port: number, dir: string, clusterPort: number | undefined): string[] {
  const args = [
    ['--port', String(port)],
    ['--bind', HOST],
    ['--protected-mode', 'no'],
    ['--save', ''],
    ['--appendonly', 'no'],
    ['--dir', dir],
    ['--daemonize', 'no'],
  ];
  if (clusterPort !== undefined) {
    args.push(
      ['--cluster-enabled', 'yes'],
      ['--cluster-config-file', 'nodes.conf'],
      ['--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS)],
      ['--cluster-port', String(clusterPort)],
    );
  }
  return args.flat();
}

async function launch(port: number, dir: string, clusterPort: number | undefined): Promise<ServerProcess> {
  const proc = spawnServer('redis-server', redisArgs(port, dir, clusterPort), dir);
  try {
    // Checking the pid proves the answer comes from our process, not whoever else owns the port.
    await waitReady(`redis-server :${port}`, proc, async () => {
      if ((await redisCommand(port, 'PING')) !== 'PONG') return false;
      return parseInfo(await redisCommand(port, 'INFO', 'server')).get('process_id') === String(proc.pid);
    });
    return proc;
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  requireBinaries('redis-server');
  const dir = await makeTempDir('nsk-redis-');
  const cleanup = (): Promise<void> => removeTempDir(dir);
  for (let attempt = 1; ; attempt++) {
    const [port = 0, clusterPort] = await freePorts(options.cluster ? 2 : 1);
    try {
      const life = await lifecycle(() => launch(port, dir, clusterPort), cleanup);
      return { ...life, host: HOST, port, url: `redis://${HOST}:${port}`, dir, clusterPort };
    } catch (error) {
      // Another process may grab a port between probing and binding.
      if (attempt < START_ATTEMPTS && isAddressInUse(error)) continue;
      await cleanup();
      throw error;
    }
  }
}
