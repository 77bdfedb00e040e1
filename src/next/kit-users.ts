import type { SessionEngine } from '../engine.ts';
import { SessionConfigError, SessionNotFreshError, SessionUnsupportedError } from '../errors.ts';
import { isFresh } from '../freshness.ts';
import type { SessionImpl } from '../session.ts';
import type { UserSessionIndex, UserSessionInfo, UserSessionSelection } from '../storage/types.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import { forgetUserHandOffs } from './hand-off.ts';
import type { DestroyUserSessionsOptions } from './kit.ts';
import { validateUserId } from './user-id.ts';

// The kit's helpers about the signed-in user: their sessions on other
// devices, and how recently they proved who they are.

/**
 * `listUserSessions()` and `destroyUserSessions()` of one kit.
 *
 * @internal
 */
export function userSessionMethods(engine: SessionEngine, current: () => Promise<SessionImpl>) {
  return {
    async listUserSessions(userId: string): Promise<UserSessionInfo[]> {
      const id = requireUserId(userId);
      const users = userIndex(engine);
      const [sessions, session] = await Promise.all([
        users.list(id).catch((error) => engine.storeFailed(error, 'list')),
        current(),
      ]);
      // Only a session this request loaded (or saved) is in the store.
      const ref = session.changes.handle === undefined ? undefined : session.state.id;
      for (const info of sessions) info.current = info.ref === ref;
      return sessions;
    },

    async destroyUserSessions(userId: string, destroyOptions?: DestroyUserSessionsOptions): Promise<number> {
      const id = requireUserId(userId);
      const users = userIndex(engine);
      const count = await users
        .destroy(id, selection(destroyOptions))
        .catch((error) => engine.storeFailed(error, 'revoke'));
      forgetUserHandOffs(engine, id);
      engine.events.emit('revoke', () => ({ type: 'revoke', userId: id, count }));
      return count;
    },
  };
}

/**
 * `requireFreshSession()`: `session` if its user signed in at most
 * `options.maxAge` seconds ago.
 *
 * @internal
 */
export function requireFresh(
  engine: SessionEngine,
  session: SessionImpl,
  freshOptions: { maxAge: number },
): SessionImpl {
  const maxAge = freshOptions?.maxAge;
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 1) {
    throw new SessionConfigError(
      'requireFreshSession() needs { maxAge } in whole seconds, e.g. { maxAge: 300 }.',
    );
  }
  const signedIn = !session.isNew && session.state.userId !== undefined;
  if (!signedIn || !isFresh(session.state.authenticatedAt, maxAge, engine.options.now())) {
    throw new SessionNotFreshError(
      signedIn
        ? `This action needs a sign-in at most ${maxAge} s old: ask the user to sign in again.`
        : 'This action needs a signed-in session.',
    );
  }
  return session;
}

function userIndex(engine: SessionEngine): UserSessionIndex {
  const { users } = engine.storage;
  if (users === null) {
    throw new SessionUnsupportedError(
      `Listing and ending a user's sessions needs a session store; the ${engine.options.storage.name} ` +
        'storage keeps sessions only in the browser. Use redisStorage(), kvStorage() or memcachedStorage().',
    );
  }
  return users;
}

function selection(options: DestroyUserSessionsOptions | undefined): UserSessionSelection {
  if (options === undefined) return { except: [] };
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('destroyUserSessions() options must be { only } or { except }.');
  }
  rejectUnknownOptions(options, ['only', 'except'], 'destroyUserSessions() option');
  const { only, except } = options;
  if (only !== undefined && except !== undefined) {
    throw new SessionConfigError('Pass `only` or `except` to destroyUserSessions(), not both.');
  }
  const refs = only ?? except ?? [];
  if (!Array.isArray(refs) || refs.some((ref) => typeof ref !== 'string')) {
    const name = only === undefined ? 'except' : 'only';
    throw new SessionConfigError(`\`${name}\` must be an array of session refs from listUserSessions().`);
  }
  return only === undefined ? { except: refs } : { only: refs };
}

function requireUserId(userId: unknown): string {
  const id = validateUserId(userId);
  if (id === undefined) throw new SessionConfigError('`userId` is required.');
  return id;
}
