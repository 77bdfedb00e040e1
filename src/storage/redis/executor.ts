import type { LuaScript } from './scripts.ts';

/**
 * One command of a batch: a script on one key, or a delete of one key.
 */
export type RedisCall = { script: LuaScript; key: string; args: readonly string[] } | { del: string };

/**
 * What the Redis-protocol driver needs from a client: hash reads and
 * batches of single-key commands, each batch one round trip (a pipeline on a
 * single Redis, parallel per-node requests on a Cluster, one HTTP request
 * through Upstash's auto-pipelining).
 */
export interface RedisExecutor {
  readonly name: string;
  /**
   * True when `run()` applies its calls in order: no call takes effect
   * before the ones listed ahead of it (one pipeline on one server). Else
   * the calls may land in any order (Cluster nodes, separate HTTP requests).
   */
  readonly ordered: boolean;
  /** The hash at `key`; `null` (or an empty object) when the key is absent. */
  hgetall(key: string): Promise<Record<string, unknown> | null>;
  /** One hash per key, in one round trip. */
  hgetallMany(keys: readonly string[]): Promise<Array<Record<string, unknown> | null>>;
  /**
   * One script on one key, one round trip. The hot path of every save: no
   * batch to build, no array of replies to unpack, and `map` (applied to the
   * reply) rides on the same promise step as the NOSCRIPT fallback.
   */
  script<R = unknown>(
    script: LuaScript,
    key: string,
    args: readonly string[],
    map?: (reply: unknown) => R,
  ): Promise<R>;
  /** Runs the calls in one round trip; resolves to their replies in order; throws on any error. */
  run(calls: readonly RedisCall[]): Promise<unknown[]>;
}

/**
 * True when an error is Redis's "NOSCRIPT": the server does not know the
 * script's SHA yet (first use, restart, failover), so EVAL must send it.
 */
export function isNoScript(error: unknown): boolean {
  return error instanceof Error && /NOSCRIPT/i.test(error.message);
}
