import { newChangeSet } from '../change-set.ts';
import { readChunkedCookie } from '../cookie/chunks.ts';
import type { SessionEngine } from '../engine.ts';
import { checkData, needsDataCheck } from '../schema/data-check.ts';
import { type Committer, SessionImpl } from '../session.ts';
import type { LoadResult, SessionState } from '../storage/types.ts';
import type { CookieJar } from '../types.ts';
import { markMigrated } from './sessions.ts';

/**
 * Reads the session cookie(s) from `jar`: only those of this request's
 * cookie name (`engine.cookies.on(secureRequest)`), so on an https request a
 * plain `session` cookie, planted or left from before, is never read. Every
 * storage and every load (getSession, hasSession, the guard) passes the same
 * checks: the storage's, the lifetime's (times ahead of the clock, expiry),
 * the data's. Bad input yields a fresh session and a call to
 * `onInvalidSession`; only store failures throw. `peek` (for
 * `hasSession()`): no idle refresh and no report.
 *
 * @internal
 */
export async function loadSession(
  engine: SessionEngine,
  jar: CookieJar,
  commit: Committer,
  secureRequest: boolean,
  peek: boolean,
): Promise<SessionImpl> {
  // Reported here, in the load's own async function: a `.catch()` around
  // it would cost two more promises on every load.
  try {
    const { storage, lifetime } = engine;
    const read = readChunkedCookie(jar, engine.cookies.on(secureRequest).name, storage.maxChunks);
    if (read.status === 'absent') {
      if (engine.migration === undefined) return engine.fresh(commit, read.names, false);
      // Awaited, so that a failure there is reported by the catch below too.
      return await engine.migration.load(jar, commit, secureRequest, peek, read.names);
    }
    const names = read.names;
    if (read.status === 'malformed') return engine.reject('invalid', commit, names, peek);
    const now = engine.options.now();
    // No await where there is nothing to wait for: each costs a turn of the
    // microtask queue on every load.
    const cached =
      storage.cookieCache === undefined
        ? undefined
        : await fromCache(engine, jar, secureRequest, read.value, now);
    const result = cached ?? (await storage.load(read.value, peek ? undefined : now));
    if (result.status === 'rejected') return engine.reject(result.reason, commit, names, peek);
    const refusal = lifetime.refusal(result.state, now);
    if (refusal !== undefined) return engine.reject(refusal, commit, names, peek);
    const { state, handle } = result;
    let migrated = false;
    if (needsDataCheck(engine.options.data, state)) {
      const checked = await checkData(engine.options.data, state);
      if (!checked.ok) return engine.reject(checked.reason, commit, names, peek);
      state.data = checked.data;
      migrated = checked.migrated;
    }
    // A store that slid the idle expiry in the load's round trip (`slid`) is not touched again.
    if (
      !peek &&
      result.slid !== true &&
      touchDue(engine, state, now) &&
      !(await slideIdle(engine, state, handle, now))
    ) {
      return engine.reject('expired', commit, names);
    }
    const changes = newChangeSet(handle, names, result.stale);
    // Read from the store: the next write the request makes (the guard's, a
    // save) also seals a fresh copy into the cache cookie.
    if (cached === undefined && storage.cookieCache !== undefined && !peek) changes.recache = true;
    const session = new SessionImpl(state, false, changes, engine.hooks, commit);
    if (migrated) markMigrated(session, engine.options.data.version);
    return session;
  } catch (error) {
    return engine.storeFailed(error, 'load');
  }
}

// A store's cookie cache: the session sealed into the cache cookie for this
// very token, still within its own expiry, is served without the store. A
// copy that is missing, expired, tampered with or another session's is
// simply not used (the store answers, and the next write replaces it): it is
// not the session that is invalid. No idle slide: the copy never outlives
// the expiry the session had when it was sealed.
async function fromCache(
  engine: SessionEngine,
  jar: CookieJar,
  secureRequest: boolean,
  token: string,
  now: number,
): Promise<LoadResult | undefined> {
  const cache = engine.storage.cookieCache;
  if (cache === undefined) return undefined;
  const value = jar.get(cache.nameFor(engine.cookies.on(secureRequest).name))?.value;
  if (value === undefined) return undefined;
  const state = await cache.open(value, token, now);
  return state === undefined
    ? undefined
    : { status: 'found', state, handle: token, stale: false, slid: true };
}

// Stores slide the idle expiry in the store, throttled: a TTL refresh is not
// a cookie write, so it works even while a server component renders.
function touchDue(engine: SessionEngine, state: SessionState, now: number): boolean {
  const { idle } = engine.storage;
  if (idle.clock !== 'store' || idle.touchAfter === undefined) return false;
  return now - state.lastActiveAt >= idle.touchAfter * 1000;
}

// The touch `touchDue` asked for. False when the record is gone.
async function slideIdle(engine: SessionEngine, state: SessionState, handle: string, now: number) {
  const { idle } = engine.storage;
  if (idle.clock !== 'store') return true;
  const until = engine.lifetime.expiresAt({
    createdAt: state.createdAt,
    lastActiveAt: now,
    lifetime: state.lifetime,
  });
  if (!(await idle.touch(handle, now, until))) return false;
  state.lastActiveAt = now;
  return true;
}
