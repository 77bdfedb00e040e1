import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { createClient } from '@vercel/kv';
import { Cluster, Redis } from 'ioredis';
import { Client } from 'memjs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from './isolation.ts';
import { type KvBridge, startKvBridge } from './kv-bridge.ts';
import { type RedisServer, startRedis } from './redis.ts';

const servers = inject('servers');

async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await delay(100);
  }
}

describe('redis-server', () => {
  const prefix = uniquePrefix('smoke-redis');
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(servers.redis.url);
  });
  afterAll(() => redis.quit());

  it('sets, gets and expires keys', async () => {
    expect(servers.redis.port).not.toBe(6379);
    await redis.set(`${prefix}a`, 'v', 'EX', 60);
    expect(await redis.get(`${prefix}a`)).toBe('v');
    expect(await redis.ttl(`${prefix}a`)).toBeGreaterThan(50);

    await redis.set(`${prefix}short`, 'v', 'PX', 50);
    await delay(120);
    expect(await redis.get(`${prefix}short`)).toBeNull();
  });
});

describe('redis cluster', () => {
  const prefix = uniquePrefix('smoke-cluster');
  let cluster: Cluster;
  beforeAll(() => {
    cluster = new Cluster(servers.cluster.nodes);
  });
  afterAll(() => cluster.quit());

  it('has 3 masters and routes keys to each of them', async () => {
    expect(servers.cluster.nodes).toHaveLength(3);
    const ranges = await cluster.cluster('SLOTS');
    const ownerOf = (slot: number): number | undefined =>
      ranges.find(([start, end]) => slot >= start && slot <= end)?.[2]?.[1];

    const keyByOwner = new Map<number, string>();
    for (let i = 0; keyByOwner.size < 3 && i < 100; i++) {
      const key = `${prefix}${i}`;
      const owner = ownerOf(await cluster.cluster('KEYSLOT', key));
      if (owner !== undefined && !keyByOwner.has(owner)) keyByOwner.set(owner, key);
    }
    expect([...keyByOwner.keys()].sort()).toEqual(servers.cluster.nodes.map((node) => node.port).sort());

    for (const key of keyByOwner.values()) await cluster.set(key, `value of ${key}`);
    for (const key of keyByOwner.values()) expect(await cluster.get(key)).toBe(`value of ${key}`);
  });

  it('runs EVAL on the node owning the key', async () => {
    const key = `${prefix}lua`;
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])";
    expect(await cluster.eval(script, 1, key, 'from-lua')).toBe('from-lua');
    expect(await cluster.get(key)).toBe('from-lua');
  });
});

describe('memcached', () => {
  const prefix = uniquePrefix('smoke-memcached');
  let client: Client;
  beforeAll(() => {
    client = Client.create(servers.memcached.url, { retries: 0, logger: { log: () => {} } });
  });
  afterAll(() => client.close());

  it('sets, gets, appends, touches and expires', async () => {
    const key = `${prefix}a`;
    expect(await client.set(key, 'a', { expires: 60 })).toBe(true);
    expect((await client.get(key)).value?.toString()).toBe('a');
    expect(await client.append(key, 'b')).toBe(true);
    expect((await client.get(key)).value?.toString()).toBe('ab');

    expect(await client.touch(key, 1)).toBe(true);
    // memcached's clock ticks once a second, so a 1 s expiry takes 1-2 s.
    await eventually(async () => (await client.get(key)).value === null, 4_000);
  });
});

describe('@vercel/kv against the Upstash REST bridge', () => {
  const prefix = uniquePrefix('smoke-kv');
  const kv = createClient({ url: servers.kv.url, token: servers.kv.token });

  it('round-trips strings and JSON (auto-deserialized) values', async () => {
    expect(await kv.set(`${prefix}obj`, { a: 1, nested: ['x'] })).toBe('OK');
    expect(await kv.get(`${prefix}obj`)).toEqual({ a: 1, nested: ['x'] });
    await kv.set(`${prefix}str`, 'héllo ✓ 🚀');
    expect(await kv.get(`${prefix}str`)).toBe('héllo ✓ 🚀');
    expect(await kv.get(`${prefix}missing`)).toBeNull();
  });

  it('supports hashes, sorted sets with scores, expiry and delete', async () => {
    expect(await kv.hset(`${prefix}h`, { name: 'ada', n: 1 })).toBe(2);
    expect(await kv.hgetall(`${prefix}h`)).toEqual({ name: 'ada', n: 1 });

    const z = `${prefix}z`;
    expect(await kv.zadd(z, { score: 2, member: 'b' }, { score: 1.5, member: 'a' })).toBe(2);
    expect(await kv.zrange(z, 0, -1, { withScores: true })).toEqual(['a', 1.5, 'b', 2]);

    await kv.set(`${prefix}exp`, 'v');
    expect(await kv.pexpireat(`${prefix}exp`, Date.now() + 60_000)).toBe(1);
    expect(await kv.pttl(`${prefix}exp`)).toBeGreaterThan(50_000);
    expect(await kv.pexpireat(`${prefix}exp`, Date.now() - 1)).toBe(1);
    expect(await kv.get(`${prefix}exp`)).toBeNull();

    expect(await kv.del(`${prefix}h`, z, `${prefix}missing`)).toBe(2);
  });

  it('runs explicit pipelines and transactions', async () => {
    const key = `${prefix}counter`;
    expect(await kv.pipeline().set(key, 1).incr(key).get(key).exec()).toEqual(['OK', 2, 2]);
    expect(await kv.multi().set(key, 'a').append(key, 'b').get(key).exec()).toEqual(['OK', 2, 'ab']);
  });

  it('runs Lua: EVAL, SCRIPT LOAD + EVALSHA, and the NOSCRIPT fallback of scripts', async () => {
    const key = `${prefix}lua`;
    expect(await kv.eval('return {KEYS[1], ARGV[1], 42}', [key], ['x'])).toEqual([key, 'x', 42]);
    const sha = await kv.scriptLoad("return redis.call('SET', KEYS[1], ARGV[1])");
    expect(await kv.evalsha(sha, [key], ['via-sha'])).toBe('OK');
    expect(await kv.get(key)).toBe('via-sha');
    // A script never loaded before: EVALSHA fails with NOSCRIPT and the client retries with EVAL.
    const fresh = kv.createScript<string>(`-- ${prefix}\nreturn ARGV[1]`);
    expect(await fresh.exec([], ['fallback'])).toBe('fallback');
  });

  it('surfaces Redis errors as thrown errors', async () => {
    const key = `${prefix}wrongtype`;
    await kv.set(key, 'a string');
    await expect(kv.lpush(key, 'x')).rejects.toThrow(/WRONGTYPE/);
    await expect(kv.pipeline().get(key).lpush(key, 'x').exec()).rejects.toThrow(
      /Command 2 \[ lpush \].*WRONGTYPE/,
    );
  });

  it('rejects a wrong token', async () => {
    const intruder = createClient({ url: servers.kv.url, token: 'wrong' });
    await expect(intruder.get(`${prefix}any`)).rejects.toThrow(/Unauthorized/);
  });

  it('speaks the raw REST protocol, base64-encoding strings on request', async () => {
    const post = async (path: string, body: unknown, base64: boolean): Promise<unknown> => {
      const headers: Record<string, string> = { authorization: `Bearer ${servers.kv.token}` };
      if (base64) headers['upstash-encoding'] = 'base64';
      const res = await fetch(`${servers.kv.url}${path}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      return res.json();
    };
    const h = `${prefix}raw`;
    expect(await post('/', ['hset', h, 'f', 'v', 'n', 7], false)).toEqual({ result: 2 });
    expect(await post('/', ['hgetall', h], false)).toEqual({ result: ['f', 'v', 'n', '7'] });
    expect(await post('/', ['hgetall', h], true)).toEqual({ result: ['Zg==', 'dg==', 'bg==', 'Nw=='] });
    expect(await post('/pipeline', [['hlen', h], ['get', `${prefix}none`], ['nope']], true)).toEqual([
      { result: 2 },
      { result: null },
      { error: expect.stringMatching(/unknown command/) },
    ]);
    expect(await post('/', ['lpush', h, 'x'], false)).toEqual({ error: expect.stringMatching(/^WRONGTYPE/) });
  });
});

describe('kv bridge fault injection (own bridge, shared backing redis)', () => {
  const prefix = uniquePrefix('smoke-kv-faults');
  let bridge: KvBridge;
  beforeAll(async () => {
    bridge = await startKvBridge({ redisUrl: servers.kv.redisUrl });
  });
  afterAll(() => bridge.stop());

  it("'error' answers HTTP 500 and the client throws", async () => {
    const kv = createClient({ url: bridge.url, token: bridge.token });
    bridge.setMode('error');
    await expect(kv.get(`${prefix}a`)).rejects.toThrow(/injected/);
    bridge.setMode('ok');
    expect(await kv.get(`${prefix}a`)).toBeNull();
  });

  it("'drop' resets connections, which the client retries", async () => {
    const kv = createClient({
      url: bridge.url,
      token: bridge.token,
      retry: { retries: 5, backoff: () => 100 },
    });
    bridge.setMode('drop');
    setTimeout(() => bridge.setMode('ok'), 150);
    expect(await kv.set(`${prefix}b`, 'after retries')).toBe('OK');
  });

  it("'hang' never answers, and stop() still closes the connection", async () => {
    const own = await startKvBridge({ redisUrl: servers.kv.redisUrl });
    own.setMode('hang');
    const request = (signal?: AbortSignal): Promise<Response> =>
      fetch(own.url, { method: 'POST', body: '["ping"]', ...(signal && { signal }) });
    await expect(request(AbortSignal.timeout(200))).rejects.toThrow(/timeout/i);
    const pending = request().then(
      () => 'answered',
      () => 'connection closed',
    );
    await delay(50);
    let settled = false;
    void pending.finally(() => {
      settled = true;
    });
    expect(settled, 'the hung request is still waiting').toBe(false);
    // Without closing connections, close() would wait for the hung request (Node's 300 s request
    // timeout): stop() resolving within the test's timeout is the proof, however busy the host.
    await own.stop();
    expect(await pending).toBe('connection closed');
  });
});

describe('own redis-server for outage tests', () => {
  let own: RedisServer;
  let client: Redis;
  beforeAll(async () => {
    own = await startRedis();
    client = new Redis(own.url, { retryStrategy: () => 50, commandTimeout: 500 });
    // Refused reconnects while the server is down are the point of these tests.
    client.on('error', () => {});
  });
  afterAll(async () => {
    client.disconnect();
    await own.stop();
  });

  it('restarts on the same port and the client recovers', async () => {
    await client.set('k', 'before');
    const pid = own.pid();
    await own.restart();
    expect(own.pid()).not.toBe(pid);
    // Nothing is persisted, so the key is gone, but the same client reconnects by itself.
    expect(await client.get('k')).toBeNull();
    expect(await client.set('k', 'after')).toBe('OK');
  });

  it('pause() makes commands time out until resume()', async () => {
    own.pause();
    await expect(client.ping()).rejects.toThrow(/timed out/i);
    own.resume();
    expect(await client.ping()).toBe('PONG');
  });

  it('stop() kills the server and removes its directory', async () => {
    client.disconnect();
    await own.stop();
    expect(own.pid()).toBeUndefined();
    expect(existsSync(own.dir)).toBe(false);
  });
});
