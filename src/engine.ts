import { newChangeSet } from './change-set.ts';
import { resolveSessionCookies, type SessionCookies } from './cookie/session-cookie.ts';
import { commitSession, saveForRender } from './engine/commit.ts';
import { loadSession } from './engine/load.ts';
import { inherit, reporter, startState } from './engine/sessions.ts';
import { type CookieLifetime, createLifetime, type Lifetime } from './lifetime.ts';
import { Migration } from './migrate/migration.ts';
import { type ResolvedKitOptions, resolveKitOptions, type SessionKitOptions } from './options.ts';
import { type Committer, type SessionCore, type SessionHooks, SessionImpl } from './session.ts';
import type { BoundStorage, SessionState } from './storage/types.ts';
import type { CookieJar, InvalidSessionReason } from './types.ts';

/**
 * The framework-neutral core of the kit: loads sessions from a `CookieJar`
 * and writes them back. Everything it needs is resolved here, once: the
 * options, the {@link Lifetime}, both variants of the session cookie, and
 * the storage bound to them. The Next.js glue supplies the jar
 * (`await cookies()`, `request.cookies`, `response.cookies`).
 *
 * @internal
 */
export class SessionEngine {
  readonly options: ResolvedKitOptions;
  readonly lifetime: Lifetime;
  readonly cookies: SessionCookies;
  readonly storage: BoundStorage;
  /** When the cookie dies, for this storage's idle clock. */
  readonly cookieLifetime: CookieLifetime;
  /** `migrateFrom`: other libraries' cookies, read while the kit has none of its own. */
  readonly migration: Migration | undefined;
  readonly hooks: SessionHooks;
  /** Calls `onInvalidSession`; a failing hook is logged, never thrown. */
  readonly report: (reason: InvalidSessionReason, source?: string) => void;

  constructor(options: SessionKitOptions) {
    this.options = resolveKitOptions(options);
    const { cookieName, maxAge, idleTimeout, now, cookie, data, migrateFrom } = this.options;
    this.lifetime = createLifetime(maxAge, idleTimeout);
    this.cookies = resolveSessionCookies(cookieName, cookie);
    const dataVersion = data.version;
    this.storage = this.options.storage.create({ cookieName, lifetime: this.lifetime, now, dataVersion });
    this.cookieLifetime = this.lifetime.cookie(this.storage.idle.clock);
    this.migration = migrateFrom.length === 0 ? undefined : new Migration(this, migrateFrom);
    const { flash } = this.storage;
    const { expiresAt } = this.lifetime;
    this.hooks = {
      expiresAt,
      newState: () => startState(this),
      takeFlash: flash.via === 'store' ? (handle, state) => flash.take(handle, expiresAt(state)) : undefined,
    };
    this.report = reporter(this.options.onInvalidSession);
  }

  /**
   * Reads this request's session from `jar`; see `loadSession()`. `peek`
   * (for `hasSession()`): no idle refresh and no report.
   */
  load(jar: CookieJar, commit: Committer, secureRequest: boolean, peek = false): Promise<SessionImpl> {
    return loadSession(this, jar, commit, secureRequest, peek);
  }

  /**
   * Saves the session and writes (or clears) its cookie as needed; see
   * `commitSession()`. Resolves to `true` only when changed data reached the
   * store and the cookie stayed as it was.
   */
  commit(session: SessionCore, jar: CookieJar, secureRequest: boolean): Promise<boolean> {
    return commitSession(this, session, jar, secureRequest);
  }

  /** A session with `state`: `changes` says where it came from and what is pending. */
  session(state: SessionState, isNew: boolean, commit: Committer, cookieNames: string[] = []): SessionImpl {
    return new SessionImpl(state, isNew, newChangeSet(undefined, cookieNames, false), this.hooks, commit);
  }

  /** A fresh session; `purge`: a rejected cookie is still in the browser, so the next save clears it. */
  fresh(commit: Committer, cookieNames: string[], purge: boolean): SessionImpl {
    const session = this.session(startState(this), true, commit, cookieNames);
    session.changes.stale = purge;
    return session;
  }

  /** A fresh session for a refused cookie; `source` names the `migrateFrom` source it came from, if any. */
  reject(reason: InvalidSessionReason, commit: Committer, names: string[], quiet = false, source?: string) {
    if (!quiet) this.report(reason, source);
    return this.fresh(commit, names, true);
  }

  /** A fresh session that replaces `previous` (login): its records die when this one is saved. */
  replace(previous: SessionCore | undefined, commit: Committer, userId: string | undefined): SessionImpl {
    const state = startState(this);
    if (userId !== undefined) state.userId = userId;
    const session = this.session(state, true, commit);
    inherit(session, previous);
    return session;
  }

  /**
   * Cookie storages with an idle timeout: whether the cookie is due to be
   * re-issued to slide the idle expiry. Stores slide their TTL while loading.
   */
  refreshDue(session: SessionCore): boolean {
    const interval = this.lifetime.touchInterval;
    if (this.storage.idle.clock !== 'cookie' || interval === undefined || session.isNew) return false;
    return this.options.now() - session.state.lastActiveAt >= interval * 1000;
  }

  /** Cookie storages, in the proxy: the session sealed *with* the messages shown to this render. */
  sealForRender(session: SessionCore): Promise<string | null> {
    return saveForRender(this, session);
  }
}
