import { SessionConfigError } from '../../errors.ts';
import { printable } from '../../printable.ts';
import { rejectUnknownOptions } from '../../unknown-options.ts';
import { guarded } from '../store/timeout.ts';
import { sha256Base64url } from '../store/token.ts';
import type { StoreCall } from '../store/user-sessions.ts';
import type { BoundStorage, LoadResult, SaveInput, SessionStorage, StorageContext } from '../types.ts';
import { assertAiohttpContext, assertAiohttpState, noUserIndex } from './limits.ts';
import { aiohttpRecord, parseAiohttpRecord } from './python-json.ts';
import { renewOnWrite } from './renew-on-write.ts';
import { rememberSpelling, spellingOf } from './spelling.ts';

/**
 * The few single-key commands the aiohttp-session format needs from a store
 * (so it works on a Redis Cluster too). Failures throw.
 */
export interface AiohttpKv {
  readonly name: string;
  /** The value at `key`, `null` when absent. */
  get(key: string): Promise<string | null>;
  /**
   * Stores `value` for `ttlSeconds`. With `onlyIfPresent`, only when the key
   * still exists; resolves to whether it was stored.
   */
  set(key: string, value: string, ttlSeconds: number, onlyIfPresent: boolean): Promise<boolean>;
  remove(keys: readonly string[]): Promise<void>;
}

// uuid4().hex, aiohttp-session's default key_factory.
const ID = /^[0-9a-f]{32}$/;

/**
 * The session id aiohttp-session's default `key_factory` makes: a random
 * UUID (version 4) as 32 lowercase hex digits.
 */
export function aiohttpSessionId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

/**
 * A storage that reads and writes aiohttp-session's `RedisStorage` /
 * `MemcachedStorage` records: key `<cookie name>_<hex id>`, value
 * `{"created": <seconds>, "session": {...}}` as Python's `json.dumps` writes
 * it, TTL `maxAge` restarted on every save; the cookie holds the bare id.
 */
export function aiohttpStoreStorage(kv: AiohttpKv, what: string, timeout: number): SessionStorage {
  const call = <T, R = T>(operation: string, fn: () => Promise<T>, map?: (value: T) => R) =>
    guarded(kv.name, operation, timeout, fn, map);
  return {
    name: `${kv.name} (aiohttp format)`,
    // Python reads the cookie, and keys the record, by its exact `cookie_name`.
    exactCookieName: true,
    create: (context: StorageContext) => boundAiohttpStore(kv, what, call, context),
  };
}

// One kit's aiohttp-format storage: records keyed by its cookie name.
function boundAiohttpStore(
  kv: AiohttpKv,
  what: string,
  call: StoreCall,
  context: StorageContext,
): BoundStorage {
  assertAiohttpContext(what, context);
  const { cookieName, now } = context;
  const { maxAge } = context.lifetime;
  const keyOf = (id: string) => `${cookieName}_${id}`;
  const unsupported = () => Promise.reject(noUserIndex(what));

  return {
    maxChunks: 1,
    // No idle timeout and no flash: aiohttp-session records have no field for either.
    idle: { clock: 'none' },
    flash: { via: 'none' },
    // The cookie keeps the id, but its expiry restarts with every write.
    cookieStaysOnSave: false,
    // Python's record has no field for a session's own lifetime.
    ownLifetime: false,
    stampWrite: renewOnWrite,
    users: {
      list: unsupported,
      destroy: unsupported,
    },

    async load(cookieValue: string): Promise<LoadResult> {
      // Only ids of aiohttp-session's default shape ever reach the store.
      if (!ID.test(cookieValue)) return { status: 'rejected', reason: 'invalid' };
      const raw = await call('load', () => kv.get(keyOf(cookieValue)));
      return loaded(cookieValue, raw, now(), maxAge);
    },

    async save(input: SaveInput): Promise<string | null> {
      assertAiohttpState(what, input.state);
      const id = input.handle ?? aiohttpSessionId();
      const value = aiohttpRecord(input.state.createdAt / 1000, input.state.data, spellingOf(input.state));
      if (input.previous.length > 0) {
        const stale = input.previous.filter((h) => ID.test(h)).map(keyOf);
        await call('save', () => kv.remove(stale));
      }
      // An update never recreates a record deleted meanwhile (logout elsewhere).
      return call(
        'save',
        () => kv.set(keyOf(id), value, maxAge, input.handle !== undefined),
        (stored) => (stored ? id : null),
      );
    },

    async destroy(handle: string): Promise<void> {
      if (!ID.test(handle)) return;
      await call('destroy', () => kv.remove([keyOf(handle)]));
    },
  };
}

// What a load found at the record's key: `raw` is its value, `null` when absent.
async function loaded(id: string, raw: string | null, now: number, maxAge: number): Promise<LoadResult> {
  // Gone: expired, logged out by the kit, or never issued.
  if (raw === null) return { status: 'rejected', reason: 'expired' };
  const record = parseAiohttpRecord(raw);
  if (record === undefined) return { status: 'rejected', reason: 'invalid' };
  // `{}`: aiohttp-session's mark of a session logged out on the Python side.
  if (record === 'empty') return { status: 'rejected', reason: 'expired' };
  // The check aiohttp-session makes when it loads: seconds since the last write.
  const age = Math.floor(now / 1000) - record.created;
  if (record.created <= 0 || age > maxAge) return { status: 'rejected', reason: 'expired' };
  const createdAt = Math.floor(record.created) * 1000;
  const state = {
    id: await sha256Base64url(id),
    data: record.data,
    createdAt,
    lastActiveAt: createdAt,
  };
  rememberSpelling(state, record.spelling);
  return { status: 'found', state, handle: id, stale: false };
}

// Store options that exist for the kit's own format but mean nothing here.
const HINTS: Record<string, string> = {
  keyPrefix:
    'the key is always "<cookie name>_<id>", as aiohttp-session writes it; set the kit\'s ' +
    '`cookieName` to the Python `cookie_name` (default "AIOHTTP_SESSION") instead',
  touchAfter: 'the aiohttp format has no idle timeout to refresh',
  maxSessionsPerUser: 'the aiohttp format keeps no per-user index',
};

/**
 * Rejects the store options that have no meaning in the aiohttp format.
 */
export function resolveAiohttpStoreOptions(factory: string, options: object): number {
  rejectUnknownOptions(options, ['client', 'format', 'timeout'], `${factory} option`, (key) =>
    Object.hasOwn(HINTS, key)
      ? `${factory}({ format: 'aiohttp' }) does not take \`${key}\`: ${HINTS[key]}.`
      : `Unknown ${factory} option "${printable(key)}". Valid options with format "aiohttp": client, format, timeout.`,
  );
  const { timeout = 2000 } = options as { timeout?: number };
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
    throw new SessionConfigError('`timeout` must be a whole number of milliseconds from 1 to 60000.');
  }
  return timeout;
}
