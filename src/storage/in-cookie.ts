import { stampActivity } from '../lifetime.ts';
import type { BoundStorage } from './types.ts';

/**
 * What a storage that keeps the whole session in its cookie declares: the
 * idle expiry slides by re-issuing the cookie, pending flash messages reach
 * the render in the cookie the proxy forwards, every save writes a new
 * cookie value, there is no per-user index to list or revoke, and a load
 * reads nothing but the cookie.
 *
 * @internal
 */
export const IN_COOKIE = Object.freeze({
  idle: Object.freeze({ clock: 'cookie' }),
  flash: Object.freeze({ via: 'cookie' }),
  cookieStaysOnSave: false,
  users: null,
  loadsFromCookie: true,
  stampWrite: stampActivity,
  destroy: async () => {},
} as const) satisfies Partial<BoundStorage>;
