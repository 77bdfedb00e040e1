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
}

/**
 * Runs the driver's commands over Upstash's REST API. Commands issued
 * together travel in one HTTP request (the clients auto-pipeline), which is
 * one round trip.
 *
 * @example
 * ```ts
 * const exec = upstashExecutor(kv);
 * ```
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
    hgetallMany: (keys) => Promise.all(keys.map((key) => client.hgetall(key))),
    script: <R>(
      script: LuaScript,
      key: string,
      args: readonly string[],
      map?: (reply: unknown) => R,
    ): Promise<R> => {
      const reply = one({ script, key, args });
      return (map === undefined ? reply : reply.then(map)) as Promise<R>;
    },
    run: (calls) => Promise.all(calls.map(one)),
  };
}
