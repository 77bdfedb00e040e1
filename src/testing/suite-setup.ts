import { it } from 'vitest';
import type { SessionKitOptions } from '../options.ts';
import { defineOwn } from '../own-property.ts';
import { createSessionId } from '../storage/session-id.ts';
import type { StoreAdapter, StoredSession } from '../storage/store/adapter.ts';
import { defineStore } from '../storage/store/define-store.ts';
import type { StoreOptions } from '../storage/store/store-options.ts';
import { createToken } from '../storage/store/token.ts';
import type { SessionData } from '../types.ts';
import { Clock, CookieBrowser, KitRunner } from './kit-runner.ts';

/**
 * What `describeStoreAdapter` needs to know about a store besides its
 * adapter.
 *
 * @example
 * ```ts
 * const options: StoreAdapterSuiteOptions = { expiry: 'server', large: { keys: 1000, sessions: 1000 } };
 * ```
 */
export interface StoreAdapterSuiteOptions {
  /**
   * How the store forgets a record past its `until`. `clock` (default): by
   * comparing it with the `now` the suite passes to `createAdapter`, which
   * the suite moves, so no case waits. `server`: by the store's own clock
   * (a TTL); one case then waits about four seconds of real time.
   */
  expiry?: 'clock' | 'server';
  /**
   * The big cases: a session with `keys` data keys and flash messages, and
   * one user with `sessions` sessions. Default `{ keys: 1000, sessions: 1000 }`;
   * `false` leaves them out.
   */
  large?: { keys: number; sessions: number } | false;
  /**
   * Writes something that is not a session under `key`, straight into the
   * store (optional): proves that `get()` reports it instead of throwing.
   */
  corrupt?(adapter: StoreAdapter, key: string): Promise<void>;
  /** Milliseconds each case may take. Default 60000 (the big ones get five times that). */
  timeout?: number;
}

/**
 * Makes the store under test: a fresh adapter (its own namespace) per case,
 * given the suite's clock.
 *
 * @example
 * ```ts
 * const create: CreateAdapter = ({ now }) => mapStore(now);
 * ```
 */
export type CreateAdapter = (context: { now: () => number }) => StoreAdapter | Promise<StoreAdapter>;

/** The suite's view of one `describeStoreAdapter` call. */
export interface Suite {
  createAdapter: CreateAdapter;
  options: StoreAdapterSuiteOptions;
  /** Per-case time limit (ms). */
  timeout: number;
}

/** One case's world: the clock, the adapter, and kits over it. */
export interface CaseSetup {
  clock: Clock;
  adapter: StoreAdapter;
  /** A kit over this adapter (through `defineStore`, as users run it). */
  kit<Data extends SessionData = SessionData>(
    kitOptions?: Omit<SessionKitOptions, 'now' | 'onInvalidSession' | 'storage'>,
    storeOptions?: StoreOptions,
    adapter?: StoreAdapter,
  ): KitRunner<Data>;
}

/**
 * A fresh clock and adapter for one case.
 */
export async function setUp(suite: Suite): Promise<CaseSetup> {
  const clock = new Clock(Date.now());
  const adapter = await suite.createAdapter({ now: clock.now });
  return {
    clock,
    adapter,
    kit: (kitOptions = {}, storeOptions = {}, over = adapter) =>
      new KitRunner({ ...kitOptions, storage: defineStore(over, storeOptions) }, clock),
  };
}

/**
 * Registers cases of `suite`, each with the suite's time limit.
 */
export function casesOf(suite: Suite): (name: string, fn: () => Promise<void>) => void {
  return (name, fn) => it(name, fn, suite.timeout);
}

/**
 * Registers a case that holds only for a store declaring `atomic`: skipped
 * (and reported as skipped) for one that does not.
 */
export function ifAtomic(suite: Suite, name: string, fn: (setup: CaseSetup) => Promise<void>): void {
  it(
    `with \`atomic\`, ${name}`,
    async (context) => {
      const setup = await setUp(suite);
      if (setup.adapter.capabilities?.atomic !== true) return context.skip();
      await fn(setup);
    },
    suite.timeout,
  );
}

/**
 * A kit over a fresh adapter, and a browser to send requests with.
 */
export async function withBrowser(suite: Suite): Promise<{ h: KitRunner; browser: CookieBrowser }> {
  return { h: (await setUp(suite)).kit(), browser: new CookieBrowser() };
}

/**
 * A key of the shape the kit gives a store.
 */
export const newKey = (): string => createToken();

/**
 * A session with every kind of JSON value, a `__proto__` key as data, and
 * text beyond ASCII.
 */
export function sampleSession(now: number, userId?: string): StoredSession {
  const data: Record<string, unknown> = {
    text: 'Ada ✓ 😀 "quoted" \\ \n',
    number: 1.5,
    big: Number.MAX_SAFE_INTEGER,
    list: [1, 'two', null, { three: true }],
    nested: { a: { b: { c: [] } } },
    empty: '',
    zero: 0,
    no: false,
    nothing: null,
  };
  defineOwn(data, '__proto__', { polluted: true });
  const session: StoredSession = { id: createSessionId(now), data, createdAt: now, lastActiveAt: now };
  if (userId !== undefined) session.userId = userId;
  return session;
}

/**
 * A promise and the function that resolves it, to hold a request mid-way.
 */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Logs in `browser` as `user` (a new session, rotated from the old one).
 */
export function login(
  runner: KitRunner,
  browser: CookieBrowser,
  user: string,
  data: SessionData = {},
): Promise<string> {
  return runner.request(browser, async (_s, { newSession }) => {
    const s = newSession(user);
    s.set('user', user);
    for (const [key, value] of Object.entries(data)) s.set(key, value);
    await s.save();
    return s.id;
  });
}

/** The cookie of a browser (empty when none). */
export const cookieOf = (browser: CookieBrowser): string => browser.cookies.get('session') ?? '';

/** Waits `ms` of real time. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
