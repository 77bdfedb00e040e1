import { SessionConfigError } from './errors.ts';
import { rejectUnknownOptions } from './unknown-options.ts';

// Enough for any real browser's User-Agent (they are ~100-250 characters),
// small enough that a hostile one cannot bloat every stored session.
const USER_AGENT_MAX = 256;
// The longest IPv6 text form with a zone, with room to spare.
const IP_MAX = 64;
const DEVICE_KEYS = ['userAgent', 'ip'];

/**
 * What a store-backed session records about the device that signed in, for
 * "your devices" listings (`listUserSessions()`).
 *
 * @example
 * ```ts
 * // Behind a proxy you trust to set it (and to overwrite what clients send):
 * const devices: DeviceOptions = { ip: (headers) => headers.get('x-real-ip') ?? undefined };
 * ```
 */
export interface DeviceOptions {
  /** Record the browser's `User-Agent` (truncated to 256 characters). Default `true`. */
  userAgent?: boolean;
  /**
   * The client's address, read from the request's headers. Off unless given:
   * which header carries a real address (and not one the client typed) depends
   * on the proxies in front of the app, which only the app knows.
   */
  ip?: (headers: Headers) => string | undefined;
}

/**
 * {@link DeviceOptions}, validated.
 *
 * @internal
 */
export interface DeviceRules {
  readonly userAgent: boolean;
  readonly ip: ((headers: Headers) => string | undefined) | undefined;
}

/**
 * What a session records of the device: only the fields that are set.
 *
 * @internal
 */
export interface DeviceFacts {
  userAgent?: string;
  ip?: string;
}

/**
 * Validates `devices`; throws `SessionConfigError` saying how to fix it.
 *
 * @internal
 */
export function resolveDevices(devices: unknown): DeviceRules {
  if (devices === undefined) return { userAgent: true, ip: undefined };
  if (typeof devices !== 'object' || devices === null) {
    throw new SessionConfigError(
      '`devices` must be an object such as { userAgent: false } or { ip: (headers) => … }.',
    );
  }
  rejectUnknownOptions(devices, DEVICE_KEYS, 'devices option');
  const { userAgent, ip } = devices as DeviceOptions;
  if (userAgent !== undefined && typeof userAgent !== 'boolean') {
    throw new SessionConfigError('`devices.userAgent` must be true or false.');
  }
  if (ip !== undefined && typeof ip !== 'function') {
    throw new SessionConfigError('`devices.ip` must be a function (headers) => string | undefined.');
  }
  return { userAgent: userAgent ?? true, ip };
}

/**
 * The device facts of a request, as `rules` allow. A throwing `ip` function
 * or an odd value records nothing rather than failing a sign-in.
 *
 * @internal
 */
export function deviceFacts(rules: DeviceRules, headers: Headers): DeviceFacts {
  const facts: DeviceFacts = {};
  if (rules.userAgent) {
    const agent = printableText(headers.get('user-agent'), USER_AGENT_MAX);
    if (agent !== undefined) facts.userAgent = agent;
  }
  if (rules.ip !== undefined) {
    let ip: unknown;
    try {
      ip = rules.ip(headers);
    } catch (error) {
      console.error('next-session-kit: devices.ip threw; no address recorded', error);
    }
    const text = printableText(ip, IP_MAX);
    if (text !== undefined) facts.ip = text;
  }
  return facts;
}

// Header values are attacker-chosen: keep printable ASCII only, trimmed and
// capped, so a listing never shows control characters or megabytes.
function printableText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value
    .replace(/[^\x20-\x7e]/g, '')
    .trim()
    .slice(0, max);
  return text === '' ? undefined : text;
}
