import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

/** The KV bridge process: where `@vercel/kv` clients point, and its request counter. */
export interface BenchKv {
  readonly url: string;
  readonly token: string;
  /** HTTP requests the bridge has received so far. */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL('./kv-bridge-process.ts', import.meta.url));

/** Forks kv-bridge-process.ts over `redisUrl` and waits until it listens. */
export async function startBenchKv(redisUrl: string): Promise<BenchKv> {
  const child = fork(script, [redisUrl], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error('the KV bridge process exited during startup');
    }),
  ])) as [{ url: string; token: string }];
  let stopped: Promise<void> | undefined;
  return {
    url: ready.url,
    token: ready.token,
    async requests() {
      const reply = once(child, 'message') as Promise<[{ requests: number }]>;
      child.send('count');
      return (await reply)[0].requests;
    },
    stop() {
      stopped ??= (async () => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
