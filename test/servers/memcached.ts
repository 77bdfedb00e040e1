import { freePort, HOST } from './ports.ts';
import { memcachedStats } from './probe.ts';
import {
  isAddressInUse,
  type Lifecycle,
  lifecycle,
  requireBinaries,
  type ServerProcess,
  spawnServer,
  waitReady,
} from './process.ts';

export interface MemcachedServer extends Lifecycle {
  readonly host: string;
  readonly port: number;
  /** `host:port`, the form memjs' `Client.create()` takes. */
  readonly url: string;
}

const START_ATTEMPTS = 3;

async function launch(port: number, extraArgs: readonly string[]): Promise<ServerProcess> {
  const args = ['-p', String(port), '-U', '0', '-l', HOST, '-m', '64', ...extraArgs];
  // memcached refuses to run as root unless told which user to run as.
  if (process.getuid?.() === 0) args.push('-u', 'root');
  const proc = spawnServer('memcached', args);
  try {
    await waitReady(
      `memcached :${port}`,
      proc,
      async () => (await memcachedStats(port)).get('pid') === String(proc.pid),
    );
    return proc;
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** `extraArgs`: more memcached flags, e.g. `['-I', '2k', '-o', 'slab_chunk_max=2048']` for a small item size. */
export async function startMemcached(extraArgs: readonly string[] = []): Promise<MemcachedServer> {
  requireBinaries('memcached');
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      const life = await lifecycle(() => launch(port, extraArgs));
      return { ...life, host: HOST, port, url: `${HOST}:${port}` };
    } catch (error) {
      if (attempt < START_ATTEMPTS && isAddressInUse(error)) continue;
      throw error;
    }
  }
}
