import { bigintRefusal } from '../bigint-refusal.ts';
import { hasChanges, resetChanges } from '../change-set.ts';
import { chunkSize, clearChunkedCookie, writeChunkedCookie } from '../cookie/chunks.ts';
import { withExpiry } from '../cookie/session-cookie.ts';
import type { SessionEngine } from '../engine.ts';
import type { SessionCore } from '../session.ts';
import type { SaveInput, SessionState } from '../storage/types.ts';
import type { CookieJar } from '../types.ts';

// A save without flash messages (nearly all) shares this one.
const NO_FLASH: readonly string[] = Object.freeze([]);

/** One commit: the engine, the session, and the request it writes to. */
interface Commit {
  readonly engine: SessionEngine;
  readonly session: SessionCore;
  readonly jar: CookieJar;
  readonly secureRequest: boolean;
  readonly now: number;
}

/**
 * Saves a changed session through `jar`, in one of three ways: ends it (no
 * data left, or past its expiry), slides only its idle expiry in the store,
 * or writes it (and its cookie, unless the storage keeps the cookie as it
 * was). Then, once the kit's own write went through, clears the cookies of
 * `migrateFrom` sources. Resolves to `true` only when changed data reached
 * the store and the cookie stayed as it was: then nothing in the response
 * tells Next that the session changed.
 *
 * @internal
 */
export async function commitSession(
  engine: SessionEngine,
  session: SessionCore,
  jar: CookieJar,
  secureRequest: boolean,
): Promise<boolean> {
  // Reported here, in the save's own async function: a `.catch()` around
  // it would cost two more promises on every save.
  try {
    const { changes, state } = session;
    if (!hasChanges(changes)) return false;
    const now = engine.options.now();
    const commit: Commit = { engine, session, jar, secureRequest, now };
    if (changes.dirty || changes.touched) engine.storage.stampWrite(state, now);
    const expiresAt = engine.lifetime.expiresAt(state);
    let silent = false;
    if (isEmpty(state) || expiresAt <= now) await destroy(commit);
    else if (onlyRecache(session) && changes.handle !== undefined) {
      // Read from the store, changed nothing: only the cache cookie is written.
      await writeCache(commit, changes.handle, expiresAt);
      resetChanges(changes, changes.handle, changes.cookieNames);
    } else if (!changes.dirty && changes.handle !== undefined && engine.storage.idle.clock === 'store') {
      await touchOnly(commit, changes.handle, expiresAt);
    } else {
      const identity = newIdentity(session);
      silent = await write(commit, expiresAt);
      if (identity !== undefined && changes.handle !== undefined) announce(engine, session, identity);
    }
    engine.migration?.forget(jar, secureRequest);
    return silent;
  } catch (error) {
    return engine.storeFailed(error, 'save');
  }
}

/** What a write of a new identity (a login, a rotation) reports once it went through. */
interface NewIdentity {
  readonly login: boolean;
  readonly rotated: boolean;
  readonly previousId: string | undefined;
}

function newIdentity({ changes, state }: SessionCore): NewIdentity | undefined {
  const login = changes.userOps.has('newSession()') && state.userId !== undefined;
  const rotated = changes.replaced.length > 0;
  return login || rotated ? { login, rotated, previousId: changes.replacedId } : undefined;
}

// After the write: the events get the public refs (what listUserSessions()
// shows), never the handles, which only the engine sees.
function announce(engine: SessionEngine, { state }: SessionCore, identity: NewIdentity): void {
  const { userId } = state;
  const ref = engine.refOf(state.id);
  if (identity.login && userId !== undefined) {
    const persistent = state.lifetime?.persistent !== false;
    engine.events.emit('login', () => ({ type: 'login', userId, ref, persistent }));
  }
  if (identity.rotated) {
    const previousRef = engine.refOf(identity.previousId);
    engine.events.emit('rotate', () => ({ type: 'rotate', userId, ref, previousRef }));
  }
}

/** Cookie storages, in the proxy: the session sealed *with* the messages shown to this render. */
export function saveForRender(engine: SessionEngine, session: SessionCore): Promise<string | null> {
  const { state, changes } = session;
  const expiresAt = engine.lifetime.expiresAt(state);
  const input = { state, handle: changes.handle, previous: [], changedKeys: [], cleared: true, expiresAt };
  return save(engine, { ...input, includeShown: true });
}

// Nothing left to keep: every record of the session goes, and its cookies.
async function destroy(commit: Commit): Promise<void> {
  const { changes } = commit.session;
  const { storage } = commit.engine;
  for (const handle of changes.replaced) await storage.destroy(handle);
  if (changes.handle !== undefined) await storage.destroy(changes.handle);
  clearCookie(commit);
}

// Only the idle clock moved: refresh the TTL, leave data and cookie alone.
async function touchOnly(commit: Commit, handle: string, expiresAt: number): Promise<void> {
  const { idle } = commit.engine.storage;
  const { changes } = commit.session;
  if (idle.clock === 'store' && (await idle.touch(handle, commit.now, expiresAt))) {
    if (commit.engine.storage.cookieCache !== undefined) await writeCache(commit, handle, expiresAt);
    resetChanges(changes, handle, changes.cookieNames);
  } else ended(commit);
}

async function write(commit: Commit, expiresAt: number): Promise<boolean> {
  const { engine, session, jar, now } = commit;
  const { state, changes } = session;
  const { storage } = engine;
  const value = await save(engine, {
    state,
    handle: changes.handle,
    previous: changes.replaced,
    changedKeys: [...changes.keys],
    changedFlash: changes.flash.size === 0 ? NO_FLASH : [...changes.flash],
    cleared: changes.cleared,
    expiresAt,
  });
  // Revoked meanwhile (logout elsewhere): never resurrect it.
  if (value === null) {
    ended(commit);
    return false;
  }
  // Every save replaces the cache cookie: a copy of what was just stored,
  // bound to the token it was stored under (a new one after a login). No
  // await without a cache: a turn of the microtask queue on every save.
  if (storage.cookieCache !== undefined) await writeCache(commit, value, expiresAt);
  if (storage.cookieStaysOnSave && value === changes.handle) {
    resetChanges(changes, value, changes.cookieNames);
    return true;
  }
  const cookie = engine.cookies.on(commit.secureRequest);
  // A browser-session cookie (`persistent: false`) gets no expiry at all.
  const options = withExpiry(cookie, now, engine.cookieLifetime.maxAgeOf(state, now));
  const names = writeChunkedCookie(jar, cookie.name, value, options, changes.cookieNames, storage.maxChunks);
  resetChanges(changes, value, names);
  return false;
}

async function save(engine: SessionEngine, input: SaveInput): Promise<string | null> {
  try {
    return await engine.storage.save(input);
  } catch (error) {
    throw bigintRefusal(error, input.state, engine.options.storage.name) ?? error;
  }
}

// The session ended elsewhere (expired, revoked): clear its cookie and say so.
function ended(commit: Commit): void {
  clearCookie(commit);
  commit.engine.report('expired');
}

function clearCookie({ engine, session, jar, secureRequest, now }: Commit): void {
  const cache = engine.storage.cookieCache;
  if (cache !== undefined) {
    const cookie = engine.cookies.on(secureRequest);
    jar.set(cache.nameFor(cookie.name), '', withExpiry(cookie, now, 0));
  }
  const names = session.changes.cookieNames;
  if (names.length > 0) {
    const cookie = engine.cookies.on(secureRequest);
    clearChunkedCookie(jar, cookie.name, names, withExpiry(cookie, now, 0), engine.storage.maxChunks);
  }
  resetChanges(session.changes, undefined, []);
}

function onlyRecache({ changes }: SessionCore): boolean {
  return changes.recache && !changes.dirty && !changes.touched && !changes.stale;
}

// The store's cookie cache, if it has one: a fresh sealed copy of the
// session as stored under `token`, dying with the copy (at most
// `cookieCache.maxAge`, never after the session's own expiry). A copy too
// large for one cookie is not kept: the old one is cleared instead.
async function writeCache(commit: Commit, token: string, expiresAt: number): Promise<void> {
  const { engine, session, jar, secureRequest, now } = commit;
  const cache = engine.storage.cookieCache;
  if (cache === undefined) return;
  const cookie = engine.cookies.on(secureRequest);
  const name = cache.nameFor(cookie.name);
  const sealed = await cache.seal(token, session.state, now, expiresAt);
  if (sealed !== undefined) {
    // Whole seconds, rounded down: the browser drops it no later than the server refuses it.
    const maxAge = Math.floor((sealed.until - now) / 1000);
    const options = withExpiry(cookie, now, maxAge);
    if (maxAge > 0 && sealed.value.length <= chunkSize(name, options)) {
      jar.set(name, sealed.value, options);
      return;
    }
  }
  jar.set(name, '', withExpiry(cookie, now, 0));
}

function isEmpty(state: SessionState): boolean {
  if (state.userId !== undefined) return false;
  if (state.flash !== undefined && Object.keys(state.flash).length > 0) return false;
  for (const key in state.data) if (Object.hasOwn(state.data, key)) return false;
  return true;
}
