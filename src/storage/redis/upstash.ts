import { isNoScript, type RedisCall, type RedisExecutor } from './executor.ts';
import { knownSha, type LuaScript, scriptSha } from './scripts.ts';

/**
 * The part of the `@vercel/kv` / `@upstash/redis` client the kit uses
 * (both clients have this shape; `kv` from `@vercel/kv` works as is).
 *
 * @example
 * ```ts
 * import { kv } from '@vercel/kv';
 * const client: UpstashLikeClient = kv;
 * ```
 */
export interface UpstashLikeClient {
  hgetall(key: string): Promise<Record<string, unknown> | null>;
  evalsha(sha: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  del(...keys: string[]): Promise<number>;
  /**
   * Several commands in one HTTP request (both clients have it). Used to read
   * or delete many sessions at once; without it each command is a request.
   */
  pipeline?(): UpstashLikePipeline;
}

/**
 * The part of an Upstash pipeline the kit uses.
 *
 * @example
 * ```ts
 * const pipeline: UpstashLikePipeline = kv.pipeline();
 * pipeline.hgetall('sess:s:abc');
 * const [hash] = await pipeline.exec();
 * ```
 */
export interface UpstashLikePipeline {
  hgetall(key: string): unknown;
  del(...keys: string[]): unknown;
  /** The replies in order; rejects if any command failed. */
  exec(): Promise<unknown[]>;
}

/**
 * Runs the driver's commands over Upstash's REST API. Commands issued
 * together are sent at once (one HTTP request each, unless the client
 * auto-pipelines them), so a batch costs one round trip of wall time; bulk
 * reads and deletes of many sessions go as one pipeline request per batch.
 */
export function upstashExecutor(client: UpstashLikeClient): RedisExecutor {
  const one = async (call: RedisCall): Promise<unknown> => {
    if ('del' in call) return client.del(call.del);
    const args = [...call.args];
    try {
      const sha = knownSha(call.script) ?? (await scriptSha(call.script));
      return await client.evalsha(sha, [call.key], args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(call.script.source, [call.key], args);
    }
  };
  return {
    name: 'kv',
    // Each call is its own HTTP request unless the client happens to
    // auto-pipeline them (and even then a NOSCRIPT retry goes later).
    ordered: false,
    hgetall: (key) => client.hgetall(key),
    hgetallMany(keys) {
      if (client.pipeline === undefined || keys.length < 2)
        return Promise.all(keys.map((key) => client.hgetall(key)));
      const pipeline = client.pipeline();
      for (const key of keys) pipeline.hgetall(key);
      return pipeline.exec() as Promise<Array<Record<string, unknown> | null>>;
    },
    script: <R>(
      script: LuaScript,
      key: string,
      args: readonly string[],
      map?: (reply: unknown) => R,
    ): Promise<R> => {
      const reply = one({ script, key, args });
      return (map === undefined ? reply : reply.then(map)) as Promise<R>;
    },
    run(calls) {
      if (client.pipeline === undefined || calls.length < 2 || !calls.every((call) => 'del' in call))
        return Promise.all(calls.map(one));
      const pipeline = client.pipeline();
      for (const call of calls) if ('del' in call) pipeline.del(call.del);
      return pipeline.exec();
    },
  };
}
