import { bigintRefusal } from './bigint-refusal.ts';
import { clearChunkedCookie, readChunkedCookie, writeChunkedCookie } from './cookie/chunks.ts';
import { cookiePrefix, effectiveCookieName } from './cookie/prefix.ts';
import { Migration } from './migrate/migration.ts';
import { type ResolvedKitOptions, resolveKitOptions, type SessionKitOptions } from './options.ts';
import { checkData, needsDataCheck } from './schema/data-check.ts';
import { type Committer, SessionImpl } from './session.ts';
import { createSessionId } from './storage/session-id.ts';
import type { SaveInput, SessionBackend, SessionState } from './storage/types.ts';
import type { CookieJar, CookieWriteOptions, InvalidSessionReason, SessionData } from './types.ts';

// Servers in one deployment disagree a little about the time; accept a
// session this long past its expiry rather than log users out early.
const CLOCK_SKEW_MS = 5_000;
/**
 * How far in the future a session's creation or last activity may lie (ms)
 * before the session is refused with reason `future`: 60 s, the allowance
 * Python's Fernet gives a token's timestamp. Only the holder of a key (or a
 * server with a wrong clock) can write such a time, and a session "created"
 * years ahead would outlive `maxAge` and `idleTimeout` by as much.
 *
 * @example
 * ```ts
 * const refused = state.createdAt > now + MAX_FUTURE_SKEW_MS;
 * ```
 */
export const MAX_FUTURE_SKEW_MS = 60_000;
// The cookie dies this much before the server-side expiry (at most 60 s, at
// most 5 % of the lifetime) so browsers stop sending it first.
const COOKIE_EARLY_MAX_S = 60;

/**
 * The framework-neutral core of the kit: loads sessions from a
 * {@link CookieJar} and writes them back. The Next.js glue supplies the jar
 * (`await cookies()`, `request.cookies`, `response.cookies`).
 *
 * @example
 * ```ts
 * const engine = new SessionEngine({ storage: encryptedCookieStorage({ secret }) });
 * const session = await engine.load(jar, (s) => engine.commit(s, jar, true), true);
 * ```
 */
export class SessionEngine {
  readonly options: ResolvedKitOptions;
  readonly backend: SessionBackend;
  /** `migrateFrom`: other libraries' cookies, read while the kit has none of its own. */
  readonly #migration: Migration | undefined;

  constructor(options: SessionKitOptions) {
    this.options = resolveKitOptions(options);
    const { cookieName, maxAge, idleTimeout, now } = this.options;
    this.backend = this.options.storage.create({
      cookieName,
      maxAge,
      idleTimeout,
      now,
      dataVersion: this.options.data.version,
    });
    const sources = this.options.migrateFrom;
    this.#migration = sources.length === 0 ? undefined : new Migration(this, sources);
  }

  /** Absolute or idle expiry of a state, whichever comes first (Unix ms). */
  expiry = (state: SessionState): number => {
    const absolute = state.createdAt + this.options.maxAge * 1000;
    const idle = this.options.idleTimeout;
    return idle === undefined ? absolute : Math.min(absolute, state.lastActiveAt + idle * 1000);
  };

  /** A new identity with empty data, created now. */
  newState = (): SessionState => {
    const now = this.options.now();
    const state: SessionState = { id: createSessionId(now), data: {}, createdAt: now, lastActiveAt: now };
    const { version } = this.options.data;
    if (version !== 1) state.version = version;
    return state;
  };

  /**
   * Reads the session cookie(s) from `jar`: only those of this request's
   * cookie name ({@link cookieNameOn}), so on an https request a plain
   * `session` cookie, planted or left from before, is never read. Bad input
   * yields a fresh session and a call to `onInvalidSession`; only backend
   * failures throw. `peek` (for `hasSession()`): no idle-TTL refresh and no
   * report.
   */
  async load<Data extends SessionData>(
    jar: CookieJar,
    commit: Committer,
    secureRequest: boolean,
    peek = false,
  ): Promise<SessionImpl<Data>> {
    const read = readChunkedCookie(jar, this.cookieNameOn(secureRequest), this.backend.maxChunks);
    if (read.status === 'absent') {
      if (this.#migration === undefined) return this.fresh(commit, read.names, false);
      return this.#migration.load(jar, commit, secureRequest, peek, read.names);
    }
    if (read.status === 'malformed') return this.reject('invalid', commit, read.names, peek);
    const result = await this.backend.load(read.value);
    if (result.status === 'rejected') return this.reject(result.reason, commit, read.names, peek);
    const now = this.options.now();
    // Every storage and every load (getSession, hasSession, the guard, and so
    // the re-sealing of stale cookies) passes here: one check for all.
    const latest = now + MAX_FUTURE_SKEW_MS;
    if (result.state.createdAt > latest || result.state.lastActiveAt > latest) {
      return this.reject('future', commit, read.names, peek);
    }
    if (now > this.expiry(result.state) + CLOCK_SKEW_MS) {
      return this.reject('expired', commit, read.names, peek);
    }
    const { state, handle } = result;
    let migrated = false;
    if (needsDataCheck(this.options.data, state)) {
      const checked = await checkData(this.options.data, state);
      if (!checked.ok) return this.reject(checked.reason, commit, read.names, peek);
      state.data = checked.data;
      migrated = checked.migrated;
    }
    const { touch, touchAfter } = this.backend;
    // Stores slide the idle timeout server-side, throttled: a TTL refresh is
    // not a cookie write, so it works even while a server component renders.
    if (
      !peek &&
      touch !== undefined &&
      touchAfter !== undefined &&
      now - state.lastActiveAt >= touchAfter * 1000
    ) {
      const touched = { ...state, lastActiveAt: now };
      if (!(await touch.call(this.backend, handle, now, this.expiry(touched)))) {
        return this.reject('expired', commit, read.names);
      }
      state.lastActiveAt = now;
    }
    const session = new SessionImpl<Data>(
      state,
      { isNew: false, handle, stale: result.stale, cookieNames: read.names },
      this.#hooks(commit),
    );
    if (migrated) session.migrated(this.options.data.version);
    return session;
  }

  /** A fresh session that replaces `previous` (login): its records die when this one is saved. */
  replace<Data extends SessionData>(
    previous: SessionImpl | undefined,
    commit: Committer,
    userId: string | undefined,
  ): SessionImpl<Data> {
    const state = this.newState();
    if (userId !== undefined) state.userId = userId;
    const session = new SessionImpl<Data>(
      state,
      { isNew: true, handle: undefined, stale: false, cookieNames: [] },
      this.#hooks(commit),
    );
    session.inherit(previous);
    return session;
  }

  /**
   * A session carried over from another library's cookie (`migrateFrom`):
   * not new, bound to `state.userId`, and written whole by the next save.
   */
  adopt<Data extends SessionData>(
    state: SessionState,
    commit: Committer,
    cookieNames: string[],
  ): SessionImpl<Data> {
    const session = new SessionImpl<Data>(
      state,
      { isNew: false, handle: undefined, stale: false, cookieNames },
      this.#hooks(commit),
    );
    session.migrated(this.options.data.version);
    return session;
  }

  /**
   * Saves the session and writes (or clears) its cookie as needed, through
   * `jar`; `secureRequest` tells whether the request arrived over https (for
   * `secure: 'auto'`). Resolves to `true` only when changed data reached the
   * store and the cookie stayed as it was: then nothing in the response tells
   * Next that the session changed.
   */
  async commit(session: SessionImpl, jar: CookieJar, secureRequest: boolean): Promise<boolean> {
    if (!session.isChanged) return false;
    const silent = await this.#write(session, jar, secureRequest);
    // Only once the kit's own write went through: the old cookies go with it.
    this.#migration?.forget(jar, secureRequest);
    return silent;
  }

  async #write(session: SessionImpl, jar: CookieJar, secureRequest: boolean): Promise<boolean> {
    const internals = session.internals;
    const now = this.options.now();
    const state = internals.state;
    // Whole seconds after creation: that is how the cookie payload records it,
    // so expiresAt reads the same now and on the next request.
    if (internals.dirty || internals.touched) state.lastActiveAt = now - ((now - state.createdAt) % 1000);
    // aiohttp-session's `created` is the time of the last write.
    if (this.backend.renewsOnSave === true && (internals.dirty || internals.touched)) {
      state.createdAt = now - (now % 1000);
      state.lastActiveAt = state.createdAt;
    }
    const expiresAt = this.expiry(state);
    const toDestroy = internals.previousHandles;
    if (isEmpty(state) || expiresAt <= now) {
      const handles = internals.handle === undefined ? toDestroy : [...toDestroy, internals.handle];
      for (const handle of handles) await this.backend.destroy(handle);
      if (internals.cookieNames.length > 0) this.#clear(internals.cookieNames, jar, secureRequest, now);
      session.markSaved(undefined, []);
      return false;
    }
    const store = this.backend.kind === 'store';
    if (store && !internals.dirty && internals.handle !== undefined && this.backend.touch !== undefined) {
      // Only the idle clock moved: refresh the TTL, leave data and cookie alone.
      if (!(await this.backend.touch(internals.handle, now, expiresAt)))
        await this.#ended(session, jar, secureRequest, now);
      else session.markSaved(internals.handle, internals.cookieNames);
      return false;
    }
    const value = await this.#save({
      state,
      handle: internals.handle,
      previous: toDestroy,
      changedKeys: internals.changedKeys,
      changedFlash: internals.changedFlash,
      cleared: internals.cleared,
      expiresAt,
    });
    if (value === null) {
      // Revoked meanwhile (logout elsewhere): never resurrect it.
      await this.#ended(session, jar, secureRequest, now);
      return false;
    }
    if (store && value === internals.handle && this.backend.renewsOnSave !== true) {
      // Same token, same absolute expiry: the cookie already says it all.
      session.markSaved(value, internals.cookieNames);
      return true;
    }
    // A store's cookie lives until the absolute expiry; the store enforces
    // the idle timeout through the key's TTL.
    const cookieExpiresAt = store ? state.createdAt + this.options.maxAge * 1000 : expiresAt;
    const names = writeChunkedCookie(
      jar,
      this.cookieNameOn(secureRequest),
      value,
      this.writeOptions(secureRequest, now, cookieExpiresAt),
      internals.cookieNames,
      this.backend.maxChunks,
    );
    session.markSaved(value, names);
    return false;
  }

  async #save(input: SaveInput): Promise<string | null> {
    try {
      return await this.backend.save(input);
    } catch (error) {
      throw bigintRefusal(error, input.state, this.options.storage.name) ?? error;
    }
  }

  async #ended(session: SessionImpl, jar: CookieJar, secureRequest: boolean, now: number): Promise<void> {
    const names = session.internals.cookieNames;
    if (names.length > 0) this.#clear(names, jar, secureRequest, now);
    session.markSaved(undefined, []);
    this.#report('expired');
  }

  #clear(names: readonly string[], jar: CookieJar, secureRequest: boolean, now: number): void {
    const name = this.cookieNameOn(secureRequest);
    clearChunkedCookie(jar, name, names, this.writeOptions(secureRequest, now, now), this.backend.maxChunks);
  }

  /**
   * The session cookie's name on a request: the configured `cookieName`,
   * with `__Host-` in front whenever the cookie is written Secure (see
   * `cookie.prefix`). Reads and writes of one request always agree on it;
   * the key stays derived from the configured name.
   *
   * @example
   * ```ts
   * engine.cookieNameOn(true); // '__Host-session'
   * ```
   */
  cookieNameOn(secureRequest: boolean): string {
    const { secure, domain, path } = this.writeOptions(secureRequest, 0, 0);
    return effectiveCookieName(this.options.cookieName, this.options.cookie.prefix, { secure, domain, path });
  }

  /**
   * Cookie storages with an idle timeout: whether the cookie is due to be
   * re-issued to slide the idle expiry (at most every tenth of `idleTimeout`,
   * at most hourly). Stores slide their TTL while loading instead.
   */
  refreshDue(session: SessionImpl): boolean {
    const idle = this.options.idleTimeout;
    if (this.backend.kind !== 'cookie' || idle === undefined || session.isNew) return false;
    const interval = Math.min(3600, Math.floor(idle / 10)) * 1000;
    return this.options.now() - session.internals.state.lastActiveAt >= interval;
  }

  /** Attributes for a cookie that should live until `expiresAt`. */
  writeOptions(secureRequest: boolean, now: number, expiresAt: number): CookieWriteOptions {
    const { cookie, cookieName, maxAge, idleTimeout } = this.options;
    const lifetime = this.backend.kind === 'store' ? maxAge : Math.min(maxAge, idleTimeout ?? maxAge);
    const early = Math.min(COOKIE_EARLY_MAX_S, Math.floor(lifetime / 20));
    const remaining = Math.floor((expiresAt - now) / 1000);
    const cookieMaxAge = remaining <= 0 ? 0 : Math.max(1, remaining - early);
    const secure =
      cookie.secure === 'auto'
        ? secureRequest || isProduction() || cookiePrefix(cookieName) !== undefined
        : cookie.secure;
    const options: CookieWriteOptions = {
      path: cookie.path,
      sameSite: cookie.sameSite,
      secure,
      httpOnly: cookie.httpOnly,
      maxAge: cookieMaxAge,
      expires: new Date(cookieMaxAge === 0 ? 0 : now + cookieMaxAge * 1000),
    };
    if (cookie.domain !== undefined) options.domain = cookie.domain;
    return options;
  }

  fresh<Data extends SessionData>(
    commit: Committer,
    cookieNames: string[],
    purge: boolean,
  ): SessionImpl<Data> {
    // `purge`: a rejected cookie is still in the browser; the next save()
    // clears it even if nothing else changed.
    return new SessionImpl<Data>(
      this.newState(),
      { isNew: true, handle: undefined, stale: purge, cookieNames },
      this.#hooks(commit),
    );
  }

  /** A fresh session for a refused cookie; `source` names the `migrateFrom` source it came from, if any. */
  reject<Data extends SessionData>(
    reason: InvalidSessionReason,
    commit: Committer,
    cookieNames: string[],
    quiet = false,
    source?: string,
  ): SessionImpl<Data> {
    if (!quiet) this.#report(reason, source);
    return this.fresh(commit, cookieNames, true);
  }

  #report(reason: InvalidSessionReason, source?: string): void {
    const hook = this.options.onInvalidSession;
    if (hook === undefined) return;
    try {
      if (source === undefined) hook(reason);
      else hook(reason, { source });
    } catch (error) {
      // A failing log hook must not turn a bad cookie into a 500.
      console.error('next-session-kit: onInvalidSession threw', error);
    }
  }

  #hooks(commit: Committer) {
    const { backend } = this;
    const take = backend.takeFlash;
    const takeFlash =
      take === undefined
        ? undefined
        : (session: SessionImpl) => {
            const { handle, state } = session.internals;
            return handle === undefined
              ? Promise.resolve({})
              : take.call(backend, handle, this.expiry(state));
          };
    return { commit, expiry: this.expiry, newIdentity: this.newState, takeFlash };
  }

  /**
   * Cookie storages, in the proxy: the session sealed *with* the messages
   * shown to this render, for the forwarded request cookie only.
   */
  async sealForRender(session: SessionImpl): Promise<string | null> {
    const { state, handle } = session.internals;
    return this.#save({
      state,
      handle,
      previous: [],
      changedKeys: [],
      cleared: true,
      expiresAt: this.expiry(state),
      includeShown: true,
    });
  }
}

function isEmpty(state: SessionState): boolean {
  if (state.userId !== undefined) return false;
  if (state.flash !== undefined && Object.keys(state.flash).length > 0) return false;
  for (const key in state.data) if (Object.hasOwn(state.data, key)) return false;
  return true;
}

function isProduction(): boolean {
  return typeof process !== 'undefined' && process.env?.NODE_ENV === 'production';
}
