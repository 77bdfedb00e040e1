import { isRecord } from '../../is-object.ts';
import { createdAtFromSessionId } from '../session-id.ts';
import type { SessionState } from '../types.ts';

/**
 * Checks a session a store returned (untrusted: corrupt, written by
 * something else, or by a buggy adapter) and makes it the engine's state:
 * `undefined` when it is not a session. Checked in place, allocating
 * nothing, because this runs on every load: the creation time is taken from
 * the id (whatever the store says), and the state is the very object the
 * store returned, which is what it gets back in `update()`.
 */
export function sessionStateOf(value: unknown): SessionState | undefined {
  if (!isRecord(value)) return undefined;
  const { id, data, lastActiveAt, userId, version, flash } = value;
  if (typeof id !== 'string') return undefined;
  const createdAt = createdAtFromSessionId(id);
  if (createdAt === undefined) return undefined;
  if (typeof lastActiveAt !== 'number' || !Number.isSafeInteger(lastActiveAt) || lastActiveAt < 0)
    return undefined;
  if (!isRecord(data)) return undefined;
  if (userId !== undefined && typeof userId !== 'string') return undefined;
  if (version !== undefined && (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1))
    return undefined;
  if (flash !== undefined && !isRecord(flash)) return undefined;
  const state = value as unknown as SessionState;
  if (state.createdAt !== createdAt) state.createdAt = createdAt;
  // Rare shapes, normalised so every store loads alike: version 1 is never
  // recorded, no flash is no `flash`.
  if (version === 1) delete state.version;
  if (flash !== undefined && !hasKeys(flash)) delete state.flash;
  // Messages this request showed live on the state; a store that wrote the
  // whole object back must not show them again.
  if (state.shown !== undefined) state.shown = undefined;
  return state;
}

/**
 * Whether an object has an own enumerable key, without building a key list.
 */
export function hasKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}
