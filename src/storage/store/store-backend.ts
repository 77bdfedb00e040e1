import { isPlainObject } from '../envelope.ts';
import type { LoadResult, SaveInput, SessionBackend, StorageContext } from '../types.ts';
import type { CreateResult, NewSessionWrite, StoreAdapter } from './adapter.ts';
import { changeOf, touchChange } from './session-change.ts';
import type { ResolvedStoreOptions } from './store-options.ts';
import { sessionStateOf } from './stored-session.ts';
import { guarded } from './timeout.ts';
import { createToken, isWellFormedToken, sha256Base64url } from './token.ts';
import { type StoreCall, userSessions } from './user-sessions.ts';

const NONE: readonly string[] = Object.freeze([]);
const EXPIRED: LoadResult = Object.freeze({ status: 'rejected', reason: 'expired' });
const INVALID: LoadResult = Object.freeze({ status: 'rejected', reason: 'invalid' });

/**
 * The engine's view of a store: the cookie carries an opaque 256-bit token,
 * the adapter sees only its key (base64url(SHA-256(token))), and every load
 * and save of a loaded session is one adapter call.
 *
 * @example
 * ```ts
 * const backend = storeBackend(adapter, resolveStoreOptions('defineStore', {}, []), context);
 * ```
 */
export function storeBackend(
  adapter: StoreAdapter,
  options: ResolvedStoreOptions,
  context: StorageContext,
): SessionBackend {
  const call: StoreCall = (operation, fn, map) => guarded(adapter.name, operation, options.timeout, fn, map);
  const keyOf = tokenKeys();
  const users = userSessions(adapter, call, context, options.maxSessionsPerUser);
  const idle = context.idleTimeout;

  const load = (key: string, token: string): Promise<LoadResult> =>
    call(
      'load',
      () => adapter.get(key),
      (value): LoadResult => {
        // Gone: expired, logged out, revoked, or never issued.
        if (value === null) return EXPIRED;
        const state = sessionStateOf(value);
        return state === undefined ? INVALID : { status: 'found', state, handle: token, stale: false };
      },
    );

  const update = (key: string, token: string, input: SaveInput): Promise<string | null> =>
    call(
      'save',
      () => adapter.update(key, changeOf(input)),
      (ok) => (ok === true ? token : null),
    );

  // A new identity (a first save, or a login): previous ones go in the same write.
  const create = async (input: SaveInput): Promise<string | null> => {
    const token = createToken();
    const key = await keyOf(token);
    const { state } = input;
    const write: NewSessionWrite = {
      until: input.expiresAt,
      expiresAt: state.createdAt + context.maxAge * 1000,
      replaces: input.previous.length === 0 ? NONE : await Promise.all(input.previous.map(keyOf)),
    };
    const result = await call('save', () => adapter.create(key, state, write));
    if (state.userId === undefined) return token;
    const reported = isPlainObject(result) ? (result as CreateResult) : undefined;
    // A login ended by maxSessionsPerUser (newer concurrent logins won) is
    // answered like a session revoked meanwhile: no cookie.
    return (await users.afterLogin(key, state.userId, reported)) ? token : null;
  };

  const updateAndDelete = async (token: string, input: SaveInput): Promise<string | null> => {
    const saved = await update(await keyOf(token), token, input);
    if (input.previous.length > 0) {
      const previous = await Promise.all(input.previous.map(keyOf));
      await call('save', () => adapter.delete(previous));
    }
    return saved;
  };

  return {
    kind: 'store',
    maxChunks: 1,
    touchAfter:
      idle === undefined ? undefined : (options.touchAfter ?? Math.min(3600, Math.floor(idle / 10))),
    mergesKeys: adapter.capabilities?.atomic === true,

    load(cookieValue: string): Promise<LoadResult> {
      // Junk never reaches the store, and a client cannot choose its id:
      // only tokens we issued and stored resolve.
      if (!isWellFormedToken(cookieValue)) return Promise.resolve(INVALID);
      const key = keyOf(cookieValue);
      return typeof key === 'string' ? load(key, cookieValue) : key.then((k) => load(k, cookieValue));
    },

    save(input: SaveInput): Promise<string | null> {
      const token = input.handle;
      if (token === undefined) return create(input);
      if (input.previous.length === 0) {
        // An update of a loaded session (nearly every save): the key is
        // cached from the load, so no await stands between it and the store.
        const cached = keyOf(token);
        if (typeof cached === 'string') return update(cached, token, input);
      }
      return updateAndDelete(token, input);
    },

    async destroy(handle: string): Promise<void> {
      if (!isWellFormedToken(handle)) return;
      const key = await keyOf(handle);
      await call('destroy', () => adapter.delete([key]));
    },

    async touch(handle: string, lastActiveAt: number, expiresAt: number): Promise<boolean> {
      const key = await keyOf(handle);
      return call(
        'touch',
        () => adapter.update(key, touchChange(lastActiveAt, expiresAt)),
        (ok) => ok === true,
      );
    },

    async takeFlash(handle: string, expiresAt: number): Promise<Record<string, unknown>> {
      const cached = keyOf(handle);
      const key = typeof cached === 'string' ? cached : await cached;
      return call(
        'flash',
        () => adapter.takeFlash(key, expiresAt),
        (flash) => (isPlainObject(flash) ? flash : {}),
      );
    },

    refOf: async (handle: string) => sha256Base64url(handle),
    listUserSessions: (userId: string) => users.list(userId),
    destroyUserSessions: (userId: string, except: readonly string[]) => users.destroy(userId, except),
  };
}

// A request hashes its token on load and again on save; remember the last
// few so the second costs nothing. Synchronous whenever possible (cached, or
// hashed with node:crypto): an await per call is measurable on the hot path.
function tokenKeys(): (token: string) => string | Promise<string> {
  const recent = new Map<string, string>();
  const remember = (token: string, key: string): string => {
    if (recent.size >= 256) recent.delete(recent.keys().next().value as string);
    recent.set(token, key);
    return key;
  };
  return (token) => {
    const cached = recent.get(token);
    if (cached !== undefined) return cached;
    const hash = sha256Base64url(token);
    return typeof hash === 'string' ? remember(token, hash) : hash.then((h) => remember(token, h));
  };
}
