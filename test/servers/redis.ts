import { makeTempDir, removeTempDir } from './cleanup.ts';
import { HOST } from './ports.ts';
import { parseInfo, redisCommand } from './probe.ts';
import {
  type Lifecycle,
  launchReady,
  lifecycle,
  onFreePorts,
  requireBinaries,
  type ServerProcess,
  spawnServer,
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

function launch(port: number, dir: string, clusterPort: number | undefined): Promise<ServerProcess> {
  const proc = spawnServer('redis-server', redisArgs(port, dir, clusterPort), { cwd: dir });
  // Checking the pid proves the answer comes from our process, not whoever else owns the port.
  return launchReady(`redis-server :${port}`, proc, async () => {
    if ((await redisCommand(port, 'PING')) !== 'PONG') return false;
    return parseInfo(await redisCommand(port, 'INFO', 'server')).get('process_id') === String(proc.pid);
  });
}

export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  requireBinaries('redis-server');
  const dir = await makeTempDir('nsk-redis-');
  const cleanup = (): Promise<void> => removeTempDir(dir);
  return onFreePorts(
    options.cluster ? 2 : 1,
    async ([port = 0, clusterPort]) => {
      const life = await lifecycle(() => launch(port, dir, clusterPort), cleanup);
      return { ...life, host: HOST, port, url: `redis://${HOST}:${port}`, dir, clusterPort };
    },
    cleanup,
  );
}
