import { SessionConfigError } from './errors.ts';
import type { InvalidSessionReason } from './types.ts';
import { rejectUnknownOptions } from './unknown-options.ts';

/**
 * `newSession()` bound a user and the new session was saved.
 *
 * @example
 * ```ts
 * events: { login: (e: LoginEvent) => audit('login', e.userId, e.persistent) }
 * ```
 */
export interface LoginEvent {
  readonly type: 'login';
  readonly userId: string;
  /** The session's public reference (store-backed storages; what `listUserSessions()` shows), else `undefined`. */
  readonly ref: string | undefined;
  /** `false` for a browser-session cookie (`newSession({ persistent: false })`). */
  readonly persistent: boolean;
}

/**
 * `destroySession()` ended a session.
 *
 * @example
 * ```ts
 * events: { logout: (e: LogoutEvent) => audit('logout', e.userId) }
 * ```
 */
export interface LogoutEvent {
  readonly type: 'logout';
  readonly userId: string | undefined;
  readonly ref: string | undefined;
}

/**
 * A session was saved under a new identity and the earlier one destroyed
 * (`newSession()` or `invalidate()` over an existing session).
 *
 * @example
 * ```ts
 * events: { rotate: (e: RotateEvent) => log.info('session rotated', e.previousRef, '->', e.ref) }
 * ```
 */
export interface RotateEvent {
  readonly type: 'rotate';
  readonly userId: string | undefined;
  readonly ref: string | undefined;
  readonly previousRef: string | undefined;
}

/**
 * `destroyUserSessions()` ended a user's sessions.
 *
 * @example
 * ```ts
 * events: { revoke: (e: RevokeEvent) => audit('revoke', e.userId, e.count) }
 * ```
 */
export interface RevokeEvent {
  readonly type: 'revoke';
  readonly userId: string;
  /** How many sessions ended. */
  readonly count: number;
}

/**
 * A cookie was refused; the request went on with a fresh session (the same
 * call as `onInvalidSession`).
 *
 * @example
 * ```ts
 * events: { invalid: (e: InvalidEvent) => metrics.increment(`session.invalid.${e.reason}`) }
 * ```
 */
export interface InvalidEvent {
  readonly type: 'invalid';
  readonly reason: InvalidSessionReason;
  /** The `migrateFrom` source whose cookie was refused, if it was not the kit's own. */
  readonly source?: string;
}

/**
 * The session store failed (an error or a timeout); the request got a
 * `SessionStoreError`. `message` is the kit's own: it names the store and
 * the operation, never a key, token or value.
 *
 * @example
 * ```ts
 * events: { storeError: (e: StoreErrorEvent) => alert(`${e.storage} failed during ${e.during}`) }
 * ```
 */
export interface StoreErrorEvent {
  readonly type: 'storeError';
  readonly storage: string;
  readonly during: 'load' | 'save' | 'list' | 'revoke';
  readonly message: string;
}

/**
 * Every event by its name.
 *
 * @example
 * ```ts
 * const handle = (e: SessionEvents['login']) => console.log(e.userId);
 * ```
 */
export interface SessionEvents {
  login: LoginEvent;
  logout: LogoutEvent;
  rotate: RotateEvent;
  revoke: RevokeEvent;
  invalid: InvalidEvent;
  storeError: StoreErrorEvent;
}

/**
 * `createSessionKit({ events })`: handlers called after the fact, never on
 * the request's path. A handler's result is not awaited, and an error it
 * throws (or a promise it rejects) is logged once with `console.error`,
 * never thrown into the request.
 *
 * @example
 * ```ts
 * createSessionKit({ storage, events: { login: (e) => audit.write('login', e.userId, e.ref) } });
 * ```
 */
export type SessionEventHandlers = {
  [K in keyof SessionEvents]?: (event: SessionEvents[K]) => void | Promise<void>;
};

const EVENT_NAMES = ['login', 'logout', 'rotate', 'revoke', 'invalid', 'storeError'] as const;

/**
 * Runs a task after the request's own work. The Next glue hands tasks to
 * `after()`; elsewhere, a macrotask.
 *
 * @internal
 */
export type Scheduler = (task: () => Promise<void>) => void;

/**
 * Where the kit's code reports events.
 *
 * @internal
 */
export interface EventSink {
  /** Whether anyone listens to `type`: building an event costs nothing otherwise. */
  has(type: keyof SessionEvents): boolean;
  /** Delivers the event `build` makes, later; `build` may look things up (a ref). */
  emit<K extends keyof SessionEvents>(
    type: K,
    build: () => SessionEvents[K] | Promise<SessionEvents[K]>,
  ): void;
  /** Replaces the scheduler (the Next glue uses `after()`). */
  schedule: Scheduler;
}

/**
 * Validates `events` once, at creation.
 *
 * @internal
 */
export function resolveEventHandlers(events: unknown): SessionEventHandlers {
  if (events === undefined) return {};
  if (typeof events !== 'object' || events === null || Array.isArray(events)) {
    throw new SessionConfigError('`events` must be an object such as { login: (event) => … }.');
  }
  rejectUnknownOptions(events, [...EVENT_NAMES], 'event');
  for (const [name, handler] of Object.entries(events)) {
    if (handler !== undefined && typeof handler !== 'function') {
      throw new SessionConfigError(`\`events.${name}\` must be a function (event) => void.`);
    }
  }
  return { ...(events as SessionEventHandlers) };
}

/**
 * The event sink of one kit.
 *
 * @internal
 */
export function createEventSink(handlers: SessionEventHandlers): EventSink {
  const sink: EventSink = {
    has: (type) => handlers[type] !== undefined,
    emit(type, build) {
      const handler = handlers[type] as ((event: SessionEvents[typeof type]) => unknown) | undefined;
      if (handler === undefined) return;
      sink.schedule(async () => {
        try {
          // Not awaited beyond its own failure: a slow handler holds nothing up.
          const result = handler(await build());
          if (isThenable(result)) result.then(undefined, (error: unknown) => failed(type, error));
        } catch (error) {
          failed(type, error);
        }
      });
    },
    schedule: macrotask,
  };
  return sink;
}

/**
 * A scheduler that runs the task after everything the request has queued.
 *
 * @internal
 */
export const macrotask: Scheduler = (task) => {
  setTimeout(() => void task(), 0);
};

function failed(type: string, error: unknown): void {
  console.error(`next-session-kit: the ${type} event handler failed`, error);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}
