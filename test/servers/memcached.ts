import { HOST } from './ports.ts';
import { memcachedStats } from './probe.ts';
import {
  type Lifecycle,
  launchReady,
  lifecycle,
  onFreePorts,
  requireBinaries,
  type ServerProcess,
  spawnServer,
} from './process.ts';

export interface MemcachedServer extends Lifecycle {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the form memjs' `Client.create()` takes. */
  readonly url: string;
}

function launch(port: number, extraArgs: readonly string[]): Promise<ServerProcess> {
  const args = ['-p', String(port), '-U', '0', '-l', HOST, '-m', '64', ...extraArgs];
  // memcached refuses to run as root unless told which user to run as.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const proc = spawnServer('memcached', args);
  return launchReady(
    `memcached :${port}`,
    proc,
    async () => (await memcachedStats(port)).get('pid') === String(proc.pid),
  );
}

/** `extraArgs`: more memcached flags, e.g. `['-I', '2k', '-o', 'slab_chunk_max=2048']` for a small item size. */
export async function startMemcached(extraArgs: readonly string[] = []): Promise<MemcachedServer> {
  requireBinaries('memcached');
  return onFreePorts(1, async ([port = 0]) => {
    const life = await lifecycle(() => launch(port, extraArgs));
    return { ...life, host: HOST, port, url: `${HOST}:${port}` };
  });
}
