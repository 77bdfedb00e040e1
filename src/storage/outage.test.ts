// Backend failures: every storage turns an unreachable or slow store into a
// typed SessionStoreError after its timeout (never a silent empty session),
// and recovers by itself when the store is back. Each test starts its own
// servers: the shared ones must never be faulted.
import { createClient } from '@vercel/kv';
import { Redis } from 'ioredis';
import memjs from 'memjs';
import pg from 'pg';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { startKvBridge } from '../../test/servers/kv-bridge.ts';
import { startMemcached } from '../../test/servers/memcached.ts';
import { postmasterPid, startPostgres } from '../../test/servers/postgres.ts';
import { startRedis } from '../../test/servers/redis.ts';
import { kvStorage } from '../entries/kv.ts';
import { memcachedStorage } from '../entries/memcached.ts';
import { postgresStorage } from '../entries/postgres.ts';
import { redisStorage } from '../entries/redis.ts';
import { SessionError, SessionStoreError } from '../errors.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import type { SessionStorage } from './types.ts';

type Data = { user?: string; count?: number };
const TIMEOUT = 400;
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function harness(storage: SessionStorage) {
  return new Harness<Data>({ storage }, new Clock(Date.now()));
}

async function saveCount(h: Harness<Data>, browser: TestBrowser, count: number): Promise<void> {
  await h.request(browser, async (s) => {
    s.set('count', count);
    await s.save();
  });
}

async function expectStoreError(promise: Promise<unknown>): Promise<SessionStoreError> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SessionStoreError);
  expect(error).toBeInstanceOf(SessionError);
  expect((error as SessionStoreError).code).toBe('ERR_SESSION_STORE');
  expect(Date.now() - started).toBeLessThan(TIMEOUT + 1500);
  return error as SessionStoreError;
}

async function eventually(check: () => Promise<void>, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > withinMs) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('store outages', () => {
  it('redis: a hung server gives SessionStoreError after the timeout; service resumes with no session lost', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    cleanups.push(
      () => client.disconnect(),
      () => server.stop(),
    );
    const h = harness(redisStorage({ client, timeout: TIMEOUT }));
    const browser = new TestBrowser();
    await saveCount(h, browser, 1);

    server.pause();
    try {
      await expectStoreError(h.request(browser, (s) => s.get('count')));
      await expectStoreError(saveCount(h, browser, 2));
    } finally {
      server.resume();
    }
    const took = await eventually(() => h.request(browser, (s) => expect(s.get('count')).toBe(1)), 2000);
    expect(took).toBeLessThan(2000);
    await saveCount(h, browser, 3);
    await h.request(browser, (s) => expect(s.get('count')).toBe(3));
  });

  it('redis: an unreachable server gives SessionStoreError, never a fresh session; it reconnects by itself', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    cleanups.push(
      () => client.disconnect(),
      () => server.stop(),
    );
    const h = harness(redisStorage({ client, timeout: TIMEOUT }));
    const browser = new TestBrowser();
    await saveCount(h, browser, 1);
    await server.kill();
    const error = await expectStoreError(h.request(browser, (s) => s.isNew));
    expect(error.message).not.toContain(browser.cookies.get('session') ?? '-');
    expect(error.cause).toBeDefined();
    await server.start(); // same port, empty (no persistence): the old session is gone by design here
    await eventually(
      () =>
        h.request(browser, (s) => {
          expect(s.isNew).toBe(true);
        }),
      2000,
    );
    await saveCount(h, browser, 5);
    await h.request(browser, (s) => expect(s.get('count')).toBe(5));
  });

  it('kv: bridge errors and hangs give SessionStoreError; recovery is automatic', async () => {
    const backing = await startRedis();
    const bridge = await startKvBridge({ redisUrl: backing.url });
    cleanups.push(
      () => bridge.stop(),
      () => backing.stop(),
    );
    const client = createClient({ url: bridge.url, token: bridge.token });
    const h = harness(kvStorage({ client, timeout: TIMEOUT }));
    const browser = new TestBrowser();
    await saveCount(h, browser, 1);
    bridge.setMode('error');
    await expectStoreError(h.request(browser, (s) => s.get('count')));
    bridge.setMode('hang');
    await expectStoreError(h.request(browser, (s) => s.get('count')));
    bridge.setMode('ok');
    await eventually(() => h.request(browser, (s) => expect(s.get('count')).toBe(1)), 2000);
  });

  it('memcached: a restart loses sessions by design; users get a clean fresh session', async () => {
    const server = await startMemcached();
    const client = memjs.Client.create(server.url, { logger: { log: () => {} }, retries: 0, timeout: 0.3 });
    cleanups.push(
      () => client.close(),
      () => server.stop(),
    );
    const h = harness(memcachedStorage({ client, timeout: TIMEOUT }));
    const browser = new TestBrowser();
    await saveCount(h, browser, 1);
    await server.kill();
    await expectStoreError(h.request(browser, (s) => s.get('count')));
    await server.start();
    await eventually(
      () =>
        h.request(browser, (s) => {
          expect(s.isNew).toBe(true);
          expect(s.data).toEqual({});
        }),
      2000,
    );
    expect(h.invalid).toContain('expired');
    await saveCount(h, browser, 2);
    await h.request(browser, (s) => expect(s.get('count')).toBe(2));
  });

  for (const driver of ['pg', 'postgres.js'] as const) {
    it(`postgres (${driver}): a stopped server gives SessionStoreError; after its restart, every session is back`, async () => {
      const server = await startPostgres();
      let client: pg.Pool | postgres.Sql;
      if (driver === 'pg') {
        const pool = new pg.Pool({ connectionString: server.url, connectionTimeoutMillis: TIMEOUT });
        pool.on('error', () => {}); // idle connections cut by the stop
        client = pool;
        cleanups.push(() => pool.end());
      } else {
        const sql = postgres(server.url, { connect_timeout: 1, onnotice: () => {} });
        client = sql;
        cleanups.push(() => sql.end({ timeout: 1 }));
      }
      cleanups.push(() => server.stop());
      const h = harness(postgresStorage({ client, timeout: TIMEOUT }));
      const browser = new TestBrowser();
      await saveCount(h, browser, 1);
      const before = postmasterPid(server.dataDir);

      await server.kill();
      const error = await expectStoreError(h.request(browser, (s) => s.get('count')));
      expect(error.message).not.toContain(browser.cookies.get('session') ?? '-');
      await expectStoreError(saveCount(h, browser, 2));

      await server.start();
      expect(postmasterPid(server.dataDir)).not.toBe(before);
      const took = await eventually(() => h.request(browser, (s) => expect(s.get('count')).toBe(1)), 2000);
      expect(took).toBeLessThan(2000);
      await saveCount(h, browser, 3);
      await h.request(browser, (s) => expect(s.get('count')).toBe(3));
      expect(h.invalid).toEqual([]);
    });
  }
});
