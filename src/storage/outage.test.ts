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
import { redisCommand } from '../../test/servers/probe.ts';
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
// How soon a SessionStoreError must follow the kit's timeout, and how soon service must be back once
// the test has seen the store answer again, both on an idle host.
const ERROR_SLACK_MS = 1_500;
const RECOVERY_MS = 2_000;
// "Eventually": a store that never comes back to service fails here; a slow host does not.
const EVENTUALLY_MS = 30_000;
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

/**
 * A timer armed now for `ms`; `firedAfter` resolves with how long it actually took. The kit's deadline
 * sweep and the clients' reconnect backoffs are timers in this same process: on a busy host they fire
 * late by as much as this one does, which is the host's doing, not the kit's.
 */
function hostTimer(ms: number): { firedAfter: Promise<number> } {
  const armedAt = Date.now();
  return { firedAfter: new Promise((resolve) => setTimeout(() => resolve(Date.now() - armedAt), ms)) };
}

/** `elapsed` (ms since `timer` was armed for `boundMs`) is within the bound, as late as the host made the timer. */
async function expectWithin(
  elapsed: number,
  timer: { firedAfter: Promise<number> },
  boundMs: number,
  what: string,
) {
  // Only a result later than the bound needs the timer's measurement (and waits for it).
  if (elapsed < boundMs) return;
  const lateBy = (await timer.firedAfter) - boundMs;
  expect(
    elapsed,
    `${what} (a ${boundMs} ms timer armed at the same time fired ${lateBy} ms late)`,
  ).toBeLessThan(boundMs + Math.max(0, lateBy));
}

async function expectStoreError(promise: Promise<unknown>): Promise<SessionStoreError> {
  const started = Date.now();
  const timer = hostTimer(TIMEOUT + ERROR_SLACK_MS);
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const elapsed = Date.now() - started;
  expect(error).toBeInstanceOf(SessionStoreError);
  expect(error).toBeInstanceOf(SessionError);
  expect((error as SessionStoreError).code).toBe('ERR_SESSION_STORE');
  await expectWithin(elapsed, timer, TIMEOUT + ERROR_SLACK_MS, 'the error follows the timeout');
  return error as SessionStoreError;
}

/**
 * Retries `check` until it passes (or EVENTUALLY_MS pass); resolves with the time from the call to the
 * end of the passing attempt, with a RECOVERY_MS timer armed at the call for expectWithin.
 */
async function eventually(
  check: () => Promise<void>,
): Promise<{ took: number; timer: { firedAfter: Promise<number> } }> {
  const started = Date.now();
  const timer = hostTimer(RECOVERY_MS);
  for (;;) {
    try {
      await check();
      return { took: Date.now() - started, timer };
    } catch (error) {
      if (Date.now() - started > EVENTUALLY_MS) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * A step on a store that is up. The kit's 400 ms timeout is short on purpose (outages show fast), so on
 * a busy host a healthy call can pass it: that one failure, and only it, runs the step again. A store
 * the kit cannot reach fails every attempt.
 */
async function healthy(step: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await step();
      return;
    } catch (error) {
      const timedOut = error instanceof SessionStoreError && error.message.includes('did not answer within');
      if (!timedOut || attempt >= 5) throw error;
    }
  }
}

/** Resolves once the Redis on `port` answers PING: the moment the test has seen the store back. */
async function redisAnswers(port: number): Promise<void> {
  while ((await redisCommand(port, 'PING').catch(() => '')) !== 'PONG') {
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('store outages', { timeout: 60_000 }, () => {
  it('redis: a hung server gives SessionStoreError after the timeout; service resumes with no session lost', async () => {
    const server = await startRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    cleanups.push(
      () => client.disconnect(),
      () => server.stop(),
    );
    const h = harness(redisStorage({ client, timeout: TIMEOUT }));
    const browser = new TestBrowser();
    await healthy(() => saveCount(h, browser, 1));

    server.pause();
    try {
      await expectStoreError(h.request(browser, (s) => s.get('count')));
      await expectStoreError(saveCount(h, browser, 2));
    } finally {
      server.resume();
    }
    await redisAnswers(server.port);
    const back = await eventually(() => h.request(browser, (s) => expect(s.get('count')).toBe(1)));
    await expectWithin(back.took, back.timer, RECOVERY_MS, 'service is back soon after the store');
    await healthy(() => saveCount(h, browser, 3));
    await healthy(() => h.request(browser, (s) => expect(s.get('count')).toBe(3)));
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
    await healthy(() => saveCount(h, browser, 1));
    await server.kill();
    const error = await expectStoreError(h.request(browser, (s) => s.isNew));
    expect(error.message).not.toContain(browser.cookies.get('session') ?? '-');
    expect(error.cause).toBeDefined();
    await server.start(); // same port, empty (no persistence): the old session is gone by design here
    const back = await eventually(() =>
      h.request(browser, (s) => {
        expect(s.isNew).toBe(true);
      }),
    );
    await expectWithin(back.took, back.timer, RECOVERY_MS, 'service is back soon after the store');
    await healthy(() => saveCount(h, browser, 5));
    await healthy(() => h.request(browser, (s) => expect(s.get('count')).toBe(5)));
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
    await healthy(() => saveCount(h, browser, 1));
    bridge.setMode('error');
    await expectStoreError(h.request(browser, (s) => s.get('count')));
    bridge.setMode('hang');
    await expectStoreError(h.request(browser, (s) => s.get('count')));
    bridge.setMode('ok');
    const back = await eventually(() => h.request(browser, (s) => expect(s.get('count')).toBe(1)));
    await expectWithin(back.took, back.timer, RECOVERY_MS, 'service is back soon after the store');
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
    await healthy(() => saveCount(h, browser, 1));
    await server.kill();
    await expectStoreError(h.request(browser, (s) => s.get('count')));
    await server.start();
    const back = await eventually(() =>
      h.request(browser, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.data).toEqual({});
      }),
    );
    await expectWithin(back.took, back.timer, RECOVERY_MS, 'service is back soon after the store');
    expect(h.invalid).toContain('expired');
    await healthy(() => saveCount(h, browser, 2));
    await healthy(() => h.request(browser, (s) => expect(s.get('count')).toBe(2)));
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
      await healthy(() => saveCount(h, browser, 1));
      const before = postmasterPid(server.dataDir);

      await server.kill();
      const error = await expectStoreError(h.request(browser, (s) => s.get('count')));
      expect(error.message).not.toContain(browser.cookies.get('session') ?? '-');
      await expectStoreError(saveCount(h, browser, 2));

      await server.start(); // resolves once the server answers
      expect(postmasterPid(server.dataDir)).not.toBe(before);
      const back = await eventually(() => h.request(browser, (s) => expect(s.get('count')).toBe(1)));
      await expectWithin(back.took, back.timer, RECOVERY_MS, 'service is back soon after the store');
      await healthy(() => saveCount(h, browser, 3));
      await healthy(() => h.request(browser, (s) => expect(s.get('count')).toBe(3)));
      expect(h.invalid).toEqual([]);
    });
  }
});
