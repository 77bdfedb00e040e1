import { hasChanges, newChangeSet } from './change-set.ts';
import { resolveSessionCookies, type SessionCookies } from './cookie/session-cookie.ts';
import type { DeviceFacts } from './devices.ts';
import { commitSession } from './engine/commit.ts';
import { loadSession } from './engine/load.ts';
import { reporter, startState } from './engine/sessions.ts';
import { SessionStoreError } from './errors.ts';
import { createEventSink, type EventSink, type StoreErrorEvent } from './events.ts';
import { type CookieLifetime, createLifetime, type Lifetime, type SessionLifetime } from './lifetime.ts';
import { Migration } from './migrate/migration.ts';
import { type ResolvedKitOptions, resolveKitOptions, type SessionKitOptions } from './options.ts';
import { type Committer, type SessionCore, type SessionHooks, SessionImpl } from './session.ts';
import type { BoundStorage, SessionState } from './storage/types.ts';
import { startTracing, traceSpan, tracingOff } from './tracing.ts';
import type { CookieJar, InvalidSessionReason } from './types.ts';

/**
 * What `newSession()` asks of the engine.
 *
 * @internal
 */
export interface SignIn {
  userId: string | undefined;
  keepData: boolean;
  /** What the request tells about the device (empty for cookie storages). */
  device: DeviceFacts;
  /** `newSession({ persistent, maxAge })`, checked; absent when the kit's defaults apply. */
  own?: SessionLifetime | undefined;
}

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
  /** Calls `onInvalidSession` and the `invalid` event; a failing hook is logged, never thrown. */
  readonly report: (reason: InvalidSessionReason, source?: string) => void;
  /** `events`: handlers called after the fact. */
  readonly events: EventSink;

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
    this.events = createEventSink(this.options.events);
    startTracing();
    this.report = reporter(this.options.onInvalidSession, this.events);
  }

  /** The public reference of a stored session (what listings show: its id), if the storage lists sessions. */
  refOf(id: string | undefined): string | undefined {
    return this.storage.users === null ? undefined : id;
  }

  /** Reports a store failure to the `storeError` event, then lets it go on to the caller. */
  storeFailed(error: unknown, during: StoreErrorEvent['during']): never {
    if (error instanceof SessionStoreError) {
      const storage = this.options.storage.name;
      this.events.emit('storeError', () => ({ type: 'storeError', storage, during, message: error.message }));
    }
    throw error;
  }

  /**
   * Reads this request's session from `jar`; see `loadSession()`. `peek`
   * (for `hasSession()`): no idle refresh and no report.
   */
  load(jar: CookieJar, commit: Committer, secureRequest: boolean, peek = false): Promise<SessionImpl> {
    // Without a tracer (nearly always): no span, and no closure per call.
    // loadSession() reports a store failure itself (storeFailed).
    if (tracingOff()) return loadSession(this, jar, commit, secureRequest, peek);
    const storage = this.options.storage.name;
    const load = () => loadSession(this, jar, commit, secureRequest, peek);
    return traceSpan('load', storage, load, loadOutcome);
  }

  /**
   * Saves the session and writes (or clears) its cookie as needed; see
   * `commitSession()`. Resolves to `true` only when changed data reached the
   * store and the cookie stayed as it was.
   */
  commit(session: SessionCore, jar: CookieJar, secureRequest: boolean): Promise<boolean> {
    // Nothing to write: no span, no store call (and save() in a render stays
    // free). commitSession() reports a store failure itself (storeFailed).
    if (!hasChanges(session.changes) || tracingOff()) return commitSession(this, session, jar, secureRequest);
    const save = () => commitSession(this, session, jar, secureRequest);
    const outcome = () => (session.changes.handle === undefined ? 'ended' : 'written');
    return traceSpan('save', this.options.storage.name, save, outcome);
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
}

// What a load found: a session, none, or a cookie it refused.
function loadOutcome(session: SessionImpl): string {
  if (!session.isNew) return 'found';
  return session.changes.stale ? 'rejected' : 'none';
}
