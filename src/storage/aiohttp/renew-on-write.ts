import type { SessionState } from '../types.ts';

/**
 * How the aiohttp-session formats record a write's time: their `created` is
 * the time of the last write, in whole seconds (aiohttp-session 2.11 and
 * later), so every write restarts the session's lifetime, and so re-sends
 * its cookie.
 *
 * @internal
 */
export function renewOnWrite(state: SessionState, now: number): void {
  state.createdAt = now - (now % 1000);
  state.lastActiveAt = state.createdAt;
}
