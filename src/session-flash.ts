import { defineOwn } from './own-property.ts';
import type { SessionCore, SessionHooks } from './session.ts';

// Flash messages: left in `state.flash` for the next render, shown from
// `state.shown` (where the proxy, or a store's take, put them).

/**
 * Leaves `value` under `key` for the next page the user sees.
 *
 * @internal
 */
export function leaveFlash(core: SessionCore, key: string, value: unknown): void {
  const flash = core.state.flash ?? {};
  defineOwn(flash, key, value);
  core.state.flash = flash;
  core.changes.flash.add(key);
}

/**
 * The message shown to this render under `key`, if any.
 *
 * @internal
 */
export function shownFlash(core: SessionCore, key: string): unknown {
  const shown = core.state.shown;
  return shown !== undefined && Object.hasOwn(shown, key) ? shown[key] : undefined;
}

/**
 * Whether a flash message waits to be shown.
 *
 * @internal
 */
export function hasPendingFlash(core: SessionCore): boolean {
  const pending = core.state.flash;
  return pending !== undefined && Object.keys(pending).length > 0;
}

/**
 * Stores: whether pending messages must be taken out of the store before one
 * is shown. Only what came from the store: a message set in this request is
 * not shown yet.
 *
 * @internal
 */
export function flashInStore(core: SessionCore, hooks: SessionHooks): boolean {
  const { handle, flash } = core.changes;
  return hooks.takeFlash !== undefined && handle !== undefined && flash.size === 0 && hasPendingFlash(core);
}

/**
 * Stores: every pending message leaves the store once per request,
 * atomically, so exactly one render shows it (the caller keeps the promise).
 *
 * @internal
 */
export async function takeStoredFlash(core: SessionCore, hooks: SessionHooks): Promise<void> {
  const { handle } = core.changes;
  const taken = handle === undefined ? {} : await hooks.takeFlash?.(handle, core.state);
  core.state.shown = { ...core.state.shown, ...taken };
  delete core.state.flash;
}
