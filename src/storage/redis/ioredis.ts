import type { Cluster, Redis } from 'ioredis';
import { isNoScript, type RedisCall, type RedisExecutor } from './executor.ts';
import { knownSha, type LuaScript, scriptSha } from './scripts.ts';

/**
 * Runs the driver's commands on an ioredis `Redis` (one pipeline per batch,
 * applied in order) or `Cluster` (per-key commands sent together; ioredis
 * routes each to its node, so nothing ever spans slots, and they may land in
 * any order).
 */
export function ioredisExecutor(client: Redis | Cluster): RedisExecutor {
  const cluster = client.isCluster === true;
  const single = (call: RedisCall): Promise<unknown> =>
    'del' in call ? client.del(call.del) : script(client, call.script, call.key, call.args, undefined);

  return {
    name: cluster ? 'redis-cluster' : 'redis',
    ordered: !cluster,

    hgetall: (key) => client.hgetall(key),

    async hgetallMany(keys) {
      if (keys.length === 0) return [];
      if (cluster || keys.length === 1) return Promise.all(keys.map((key) => client.hgetall(key)));
      const replies = await client.pipeline(keys.map((key) => ['hgetall', key])).exec();
      return (replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return value as Record<string, string>;
      });
    },

    script: (lua, key, args, map) => script(client, lua, key, args, map),

    async run(calls) {
      if (calls.length === 1) return [await single(calls[0] as RedisCall)];
      if (cluster) return Promise.all(calls.map(single));
      return pipelined(client, calls);
    },
  };
}

// By its SHA, known after the first use; loaded with EVAL when the server
// has not seen it (first use, restart).
function script<R>(
  client: Redis | Cluster,
  lua: LuaScript,
  key: string,
  args: readonly string[],
  map: ((reply: unknown) => R) | undefined,
): Promise<R> {
  const sha = knownSha(lua);
  if (sha !== undefined) return evalsha(client, sha, lua, key, args, map);
  return scriptSha(lua).then((s) => evalsha(client, s, lua, key, args, map));
}

function evalsha<R>(
  client: Redis | Cluster,
  sha: string,
  lua: LuaScript,
  key: string,
  args: readonly string[],
  map: ((reply: unknown) => R) | undefined,
): Promise<R> {
  // Key and arguments as one array (ioredis flattens it): spreading them
  // into the call would overflow the stack for a session with ~100,000 keys.
  return client.evalsha(sha, 1, [key, ...args]).then(map, (error: unknown) => {
    if (!isNoScript(error)) throw error;
    const retried = client.eval(lua.source, 1, [key, ...args]);
    return map === undefined ? retried : retried.then(map);
  }) as Promise<R>;
}

// A single node: the calls as one pipeline, applied in order.
async function pipelined(client: Redis | Cluster, calls: readonly RedisCall[]): Promise<unknown[]> {
  const shas = await Promise.all(calls.map((call) => ('del' in call ? undefined : scriptSha(call.script))));
  const pipeline = client.pipeline();
  calls.forEach((call, i) => {
    if ('del' in call) pipeline.del(call.del);
    else pipeline.evalsha(shas[i] as string, 1, [call.key, ...call.args]);
  });
  const replies = (await pipeline.exec()) ?? [];
  const results: unknown[] = [];
  let replaying = false;
  for (const [i, call] of calls.entries()) {
    const [error, value] = replies[i] ?? [new Error('no reply in the pipeline'), undefined];
    if (!replaying) {
      if (error === null) {
        results.push(value);
        continue;
      }
      if ('del' in call || !isNoScript(error)) throw error;
      replaying = true;
    }
    // A script the server had not seen yet (first use, restart) failed
    // without running, but the calls after it ran. Run it and every
    // later call again, in order, so `ordered` holds (a login's index
    // entry must follow its record). A batch is a create, deletes and an
    // index update: running one of them twice changes nothing.
    results.push(
      'del' in call
        ? await client.del(call.del)
        : await client.eval(call.script.source, 1, [call.key, ...call.args]),
    );
  }
  return results;
}
