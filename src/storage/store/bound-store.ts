import { isRecord } from '../../is-object.ts';
import { CLOCK_SKEW_MS, stampActivity } from '../../lifetime.ts';
import { traceStoreCall, tracingOff } from '../../tracing.ts';
import { storageIdentity } from '../identity.ts';
import { createdAtFromSessionId } from '../session-id.ts';
import type { BoundStorage, LoadResult, SaveInput, StorageContext } from '../types.ts';
import type { CreateResult, IdleTouch, NewSessionWrite, StoreAdapter } from './adapter.ts';
import { createCookieCache } from './cookie-cache.ts';
import { Recent } from './recent.ts';
import { changeOf, touchChange } from './session-change.ts';
import type { ResolvedStoreOptions } from './store-options.ts';
import { sessionStateOf } from './stored-session.ts';
import { guarded } from './timeout.ts';
import { createToken, isWellFormedToken, sha256Base64url } from './token.ts';
import { type StoreCall, userSessions } from './user-sessions.ts';

const NONE: readonly string[] = Object.freeze([]);
const EXPIRED: LoadResult = Object.freeze({ status: 'rejected', reason: 'expired' });
const INVALID: LoadResult = Object.freeze({ status: 'rejected', reason: 'invalid' });

/** One adapter, bound to one kit. */
interface Bound {
  adapter: StoreAdapter;
  call: StoreCall;
  keyOf: (token: string) => string | Promise<string>;
  users: ReturnType<typeof userSessions>;
  context: StorageContext;
  /** The load's idle refresh, for a store that does it in the same round trip. */
  loadTouch: ((now: number) => IdleTouch) | undefined;
}

/**
 * A store adapter bound to one kit, as the engine uses it: the cookie
 * carries an opaque 256-bit token, the adapter sees only its key
 * (base64url(SHA-256(token))), and every load and save of a loaded session
 * is one adapter call. The idle expiry slides in the store (throttled by
 * `touchAfter`), flash messages are taken from it, and the cookie stays as
 * it is across saves.
 *
 * @internal
 */
export function bindStore(
  adapter: StoreAdapter,
  options: ResolvedStoreOptions,
  context: StorageContext,
): BoundStorage {
  const { timeout } = options;
  // Without a tracer (nearly always): the store call alone, no closure around it.
  const call: StoreCall = (operation, fn, map) =>
    tracingOff()
      ? guarded(adapter.name, operation, timeout, fn, map)
      : traceStoreCall(adapter.name, operation, () => guarded(adapter.name, operation, timeout, fn, map));
  const users = userSessions(adapter, call, context, options.maxSessionsPerUser);
  const { touchInterval } = context.lifetime;
  const touchAfter = touchInterval === undefined ? undefined : (options.touchAfter ?? touchInterval);
  const loadTouch = touchOnGet(adapter, context, touchAfter);
  const bound: Bound = { adapter, call, keyOf: tokenKeys(), users, context, loadTouch };
  const cookieCache =
    options.cookieCache === undefined ? undefined : createCookieCache(options.cookieCache, context);
  const cacheSecret = options.cookieCache?.secret ?? null;
  return {
    ...(cookieCache !== undefined && { cookieCache }),
    identity: storageIdentity([adapter.name, adapter.namespace ?? null, cacheSecret]),
    maxChunks: 1,
    idle: {
      clock: 'store',
      touchAfter,
      touch: (handle, lastActiveAt, until) => touch(bound, handle, lastActiveAt, until),
    },
    flash: { via: 'store', take: (handle, until) => takeFlash(bound, handle, until) },
    cookieStaysOnSave: true,
    users: {
      list: (userId) => users.list(userId),
      destroy: (userId, refs) => users.destroy(userId, refs),
    },
    stampWrite: stampActivity,
    load: (cookieValue, touchAt) => load(bound, cookieValue, touchAt),
    save: (input) => save(bound, input),
    destroy: (handle) => destroy(bound, handle),
  };
}

function load(bound: Bound, cookieValue: string, touchAt: number | undefined): Promise<LoadResult> {
  // Junk never reaches the store, and a client cannot choose its id: only
  // tokens we issued and stored resolve.
  if (!isWellFormedToken(cookieValue)) return Promise.resolve(INVALID);
  const touch = touchAt === undefined || bound.loadTouch === undefined ? undefined : bound.loadTouch(touchAt);
  const key = bound.keyOf(cookieValue);
  return typeof key === 'string'
    ? get(bound, key, cookieValue, touch)
    : key.then((k) => get(bound, k, cookieValue, touch));
}

function get(bound: Bound, key: string, token: string, touch: IdleTouch | undefined): Promise<LoadResult> {
  const slid = touch !== undefined;
  return bound.call(
    'load',
    () => (slid ? bound.adapter.get(key, touch) : bound.adapter.get(key)),
    (value): LoadResult => {
      // Gone: expired, logged out, revoked, or never issued.
      if (value === null) return EXPIRED;
      const state = sessionStateOf(value);
      return state === undefined ? INVALID : { status: 'found', state, handle: token, stale: false, slid };
    },
  );
}

// The idle refresh a load asks of a store that can do it in the same round
// trip (`touchOnGet`); the same times the engine's own touch would use.
function touchOnGet(
  adapter: StoreAdapter,
  context: StorageContext,
  touchAfter: number | undefined,
): ((now: number) => IdleTouch) | undefined {
  const { idleTimeout, maxAge } = context.lifetime;
  if (adapter.capabilities?.touchOnGet !== true || touchAfter === undefined || idleTimeout === undefined) {
    return undefined;
  }
  const maxAgeMs = maxAge * 1000;
  return (now) => {
    const idleUntil = now + idleTimeout * 1000;
    return {
      lastActiveAt: now,
      dueBy: now - touchAfter * 1000,
      aliveSince: now - idleTimeout * 1000 - CLOCK_SKEW_MS,
      idleUntil,
      maxAge: maxAgeMs,
      untilFor: (session) => {
        const createdAt = createdAtFromSessionId(session.id);
        // A session with its own maxAge (newSession({ maxAge })) ends at its own end.
        const own = session.lifetime?.maxAge;
        const end = own === undefined ? maxAgeMs : own * 1000;
        return createdAt === undefined ? now : Math.min(idleUntil, createdAt + end);
      },
    };
  };
}

function save(bound: Bound, input: SaveInput): Promise<string | null> {
  const token = input.handle;
  if (token === undefined) return create(bound, input);
  if (input.previous.length === 0) {
    // An update of a loaded session (nearly every save): the key is cached
    // from the load, so no await stands between it and the store.
    const cached = bound.keyOf(token);
    if (typeof cached === 'string') return update(bound, cached, token, input);
  }
  return updateAndDelete(bound, token, input);
}

function update(bound: Bound, key: string, token: string, input: SaveInput): Promise<string | null> {
  return bound.call(
    'save',
    () => bound.adapter.update(key, changeOf(input)),
    (ok) => (ok === true ? token : null),
  );
}

async function updateAndDelete(bound: Bound, token: string, input: SaveInput): Promise<string | null> {
  const saved = await update(bound, await bound.keyOf(token), token, input);
  if (input.previous.length > 0) {
    const previous = await Promise.all(input.previous.map(bound.keyOf));
    await bound.call('save', () => bound.adapter.delete(previous));
  }
  return saved;
}

// A new identity (a first save, or a login): previous ones go in the same write.
async function create(bound: Bound, input: SaveInput): Promise<string | null> {
  const { adapter, keyOf, context } = bound;
  const token = createToken();
  const key = await keyOf(token);
  const { state } = input;
  const write: NewSessionWrite = {
    until: input.expiresAt,
    expiresAt: context.lifetime.absoluteEnd(state.createdAt, state.lifetime),
    replaces: input.previous.length === 0 ? NONE : await Promise.all(input.previous.map(keyOf)),
  };
  const result = await bound.call('save', () => adapter.create(key, state, write));
  if (state.userId === undefined) return token;
  const reported = isRecord(result) ? (result as CreateResult) : undefined;
  // A login ended by maxSessionsPerUser (newer concurrent logins won) is
  // answered like a session revoked meanwhile: no cookie.
  return (await bound.users.afterLogin(key, state.userId, reported)) ? token : null;
}

async function destroy(bound: Bound, handle: string): Promise<void> {
  if (!isWellFormedToken(handle)) return;
  const key = await bound.keyOf(handle);
  await bound.call('destroy', () => bound.adapter.delete([key]));
}

async function touch(
  bound: Bound,
  handle: string,
  lastActiveAt: number,
  expiresAt: number,
): Promise<boolean> {
  const key = await bound.keyOf(handle);
  return bound.call(
    'touch',
    () => bound.adapter.update(key, touchChange(lastActiveAt, expiresAt)),
    (ok) => ok === true,
  );
}

async function takeFlash(bound: Bound, handle: string, expiresAt: number): Promise<Record<string, unknown>> {
  const cached = bound.keyOf(handle);
  const key = typeof cached === 'string' ? cached : await cached;
  return bound.call(
    'flash',
    () => bound.adapter.takeFlash(key, expiresAt),
    (flash) => (isRecord(flash) ? flash : {}),
  );
}

// A request hashes its token on load and again on save; remember the last
// few so the second costs nothing. Synchronous whenever possible (cached, or
// hashed with node:crypto): an await per call is measurable on the hot path.
function tokenKeys(): (token: string) => string | Promise<string> {
  const recent = new Recent<string>();
  return (token) => {
    const cached = recent.get(token);
    if (cached !== undefined) return cached;
    const hash = sha256Base64url(token);
    return typeof hash === 'string' ? recent.set(token, hash) : hash.then((h) => recent.set(token, h));
  };
}
