import { Redis } from 'ioredis';
import { startBenchRedis } from './redis-server.ts';
import { SAVE, scriptSha } from '../src/storage/redis/scripts.ts';
import { redisStorage } from '../src/entries/redis.ts';
import { createSessionId } from '../src/storage/session-id.ts';

const server = await startBenchRedis();
try {
  const c = new Redis({ host: server.host, port: server.port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await c.connect();
  const data = { user: 'ada@example.com', count: 42, role: 'admin', theme: 'dark', lang: 'eng' };
  await c.set('k', JSON.stringify(data));
  const fields: string[] = ['_id', 'j"AAAAAAAAAAAA"', '_a', 'j1'];
  for (const [k, v] of Object.entries(data)) fields.push(`d.${k}`, `j${JSON.stringify(v)}`);
  await c.hset('h', ...fields);
  const sha = await scriptSha(SAVE);
  await c.script('LOAD', SAVE.source);
  const time = async (name: string, fn: () => Promise<unknown>) => {
    for (let i = 0; i < 2000; i++) await fn();
    const n = 20000; const t = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    const us = Number(process.hrtime.bigint() - t) / 1e3 / n;
    console.log(name.padEnd(40), us.toFixed(1), 'µs');
  };
  const backend = redisStorage({ client: c, keyPrefix: 'x:' }).create({ cookieName: 's', maxAge: 1209600, idleTimeout: undefined, now: Date.now });
  const createdAt = Date.now();
  const token = (await backend.save({ state: { id: createSessionId(createdAt), data: { ...data }, createdAt, lastActiveAt: createdAt }, handle: undefined, previous: [], changedKeys: [], cleared: true, expiresAt: createdAt + 1209600000 })) as string;
  for (let r = 0; r < 2; r++) {
  await time('PING', () => c.ping());
  await time('GET', () => c.get('k'));
  await time('SET EX', () => c.set('k', JSON.stringify(data), 'EX', 1209600));
  await time('HGETALL', () => c.hgetall('h'));
  await time('EVALSHA merge', () => c.evalsha(sha, 1, 'h', 'merge', String(Date.now() + 1e9), '3', '_id', 'j"AAAAAAAAAAAA"', '_a', 'j1', 'd.count', 'j43'));
  await time('HSET+PEXPIREAT pipeline', () => c.pipeline().hset('h', '_a', 'j1', 'd.count', 'j43').pexpireat('h', Date.now() + 1e9).exec());
  await time('HSET', () => c.hset('h', '_a', 'j1', 'd.count', 'j43'));
  await time('backend.load', () => backend.load(token));
  const st = (await backend.load(token));
  if (st.status !== 'found') throw new Error();
  await time('backend.save merge', () => backend.save({ state: st.state, handle: token, previous: [], changedKeys: ['count'], cleared: false, expiresAt: createdAt + 1209600000 }));
  }
  const info = await c.info('commandstats'); console.log(info);
  c.disconnect();
} finally { await server.stop(); }
