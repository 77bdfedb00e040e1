import { markReplaced } from '../change-set.ts';
import type { SessionEngine } from '../engine.ts';
import type { EventSink } from '../events.ts';
import type { SessionCore } from '../session.ts';
import { createSessionId } from '../storage/session-id.ts';
import type { SessionState } from '../storage/types.ts';
import type { InvalidSessionDetail, InvalidSessionReason } from '../types.ts';

/**
 * A new identity with empty data, created now, of the kit's data version.
 *
 * @internal
 */
export function startState(engine: {
  options: { now: () => number; data: { version: number } };
}): SessionState {
  const now = engine.options.now();
  const state: SessionState = { id: createSessionId(now), data: {}, createdAt: now, lastActiveAt: now };
  const { version } = engine.options.data;
  if (version !== 1) state.version = version;
  return state;
}

/**
 * `newSession()`: the replaced session's records die with this one's first
 * save, and its cookies are overwritten or cleared by it.
 *
 * @internal
 */
export function inherit(session: SessionCore, previous: SessionCore | undefined): void {
  const { changes } = session;
  if (previous !== undefined) {
    const old = previous.changes;
    if (old.handle !== undefined) {
      changes.replaced.push(old.handle);
      changes.replacedId = previous.state.id;
    }
    changes.replaced.push(...old.replaced);
    changes.cookieNames = [...new Set([...changes.cookieNames, ...old.cookieNames])];
  }
  markReplaced(changes);
  changes.userOps.add('newSession()');
}

/**
 * The loaded data was migrated to `version` (or carried over from another
 * library): the next save writes the whole session, even if the app changes
 * nothing.
 *
 * @internal
 */
export function markMigrated(session: SessionCore, version: number): void {
  session.state.version = version;
  session.changes.cleared = true;
  session.changes.dirty = true;
}

/**
 * The engine's `report`: calls `onInvalidSession`, with `{ source }` only
 * for a `migrateFrom` cookie, then the `invalid` event. A failing log hook
 * must not turn a bad cookie into a 500. Made once, at creation.
 *
 * @internal
 */
export function reporter(
  hook: ((reason: InvalidSessionReason, detail?: InvalidSessionDetail) => void) | undefined,
  events: EventSink,
): (reason: InvalidSessionReason, source?: string) => void {
  return (reason, source) => {
    if (hook !== undefined) {
      try {
        if (source === undefined) hook(reason);
        else hook(reason, { source });
      } catch (error) {
        console.error('next-session-kit: onInvalidSession threw', error);
      }
    }
    events.emit('invalid', () => ({
      type: 'invalid',
      reason,
      ...(source !== undefined && { source }),
    }));
  };
}

/**
 * Cookie storages with an idle timeout: whether the cookie is due to be
 * re-issued to slide the idle expiry. Stores slide their TTL while loading.
 *
 * @internal
 */
export function refreshDue(engine: SessionEngine, session: SessionCore): boolean {
  const interval = engine.lifetime.touchInterval;
  if (engine.storage.idle.clock !== 'cookie' || interval === undefined || session.isNew) return false;
  return engine.options.now() - session.state.lastActiveAt >= interval * 1000;
}
