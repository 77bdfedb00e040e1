import { SessionConfigError, SessionUnsupportedError } from '../../errors.ts';
import type { SessionState, StorageContext } from '../types.ts';

/**
 * Refuses, once at creation, the kit options aiohttp-session's formats have
 * no field for. aiohttp-session (2.11 and later) restarts `created` on every
 * write, so its `max_age` already is a timeout counted from the last write.
 */
export function assertAiohttpContext(what: string, context: StorageContext): void {
  if (context.lifetime.idleTimeout !== undefined) {
    throw new SessionConfigError(
      `${what} cannot honour \`idleTimeout\`: aiohttp-session records have no last-activity field, ` +
        'and their `created` restarts on every write, so `maxAge` already ends a session that ' +
        'was not written for that long. Remove `idleTimeout` and set `maxAge` to the `max_age` ' +
        'of the Python storage.',
    );
  }
  if (context.dataVersion !== undefined && context.dataVersion !== 1) {
    throw new SessionConfigError(
      `${what} cannot record the data \`version\`: aiohttp-session records hold only the session's ` +
        'values, so every load would look like an old version. Remove `version`/`migrate` (a `schema` ' +
        'still works) while the Python app shares the sessions.',
    );
  }
}

/**
 * Refuses, at save time, session state aiohttp-session cannot hold, instead
 * of dropping it: a user binding from `newSession({ userId })` and flash
 * messages.
 */
export function assertAiohttpState(what: string, state: SessionState): void {
  if (state.userId !== undefined) {
    throw new SessionUnsupportedError(
      `${what} cannot bind a user to a session: aiohttp-session records hold only the session's ` +
        'values. Call newSession() without `userId` and keep the user id as a value, e.g. ' +
        "session.set('user_id', id), which the Python side reads as session['user_id'].",
    );
  }
  if (state.flash !== undefined && Object.keys(state.flash).length > 0) {
    throw new SessionUnsupportedError(
      `${what} cannot keep flash messages: aiohttp-session records hold only the session's values. ` +
        'Store the message as a value (session.set, then delete it once shown), or use the ' +
        "kit's own format.",
    );
  }
}

/**
 * The error `listUserSessions()` / `destroyUserSessions()` report for the
 * aiohttp formats.
 */
export function noUserIndex(what: string): SessionUnsupportedError {
  return new SessionUnsupportedError(
    `${what} keeps no per-user index (aiohttp-session has none), so it cannot list or end a ` +
      "user's sessions. Use the kit's own format for that once the Python app no longer shares sessions.",
  );
}
