import { SessionConfigError } from '../errors.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';

/**
 * The kit option `live` (and the `live` prop of `SessionClientProvider`):
 * `useSession()` follows the server in every tab of the browser. A tab that
 * changed the session tells the others; a tab that hears of a change, or
 * comes back into view, fetches the exposed fields from `endpoint`, a Route
 * Handler that serves `clientSessionHandler`.
 *
 * @example
 * ```ts
 * const live: LiveSessionOptions = { endpoint: '/api/session/client' };
 * const polling: LiveSessionOptions = { endpoint: '/api/session/client', interval: 300 };
 * ```
 */
export interface LiveSessionOptions {
  /**
   * The path the browser fetches the snapshot from, where your app mounts
   * `export const GET = clientSessionHandler` (with Next's `basePath` in
   * front, if you use one). A path on this site: no scheme, host, query or `#`.
   */
  endpoint: string;
  /**
   * Also refetch every this many seconds while the tab is visible (between
   * 5 and 86400). Default: never; changes made in other tabs, and a tab
   * coming back into view, already refetch.
   */
  interval?: number;
  /** Refetch when the tab becomes visible or its window gets the focus. Default `true`. */
  focus?: boolean;
}

/**
 * `live` after validation: plain data, so the server component can hand it
 * to the client provider.
 *
 * @example
 * ```ts
 * const resolved: ResolvedLive = { endpoint: '/api/session/client', interval: undefined, focus: true };
 * ```
 */
export interface ResolvedLive {
  readonly endpoint: string;
  readonly interval: number | undefined;
  readonly focus: boolean;
}

const KEYS = ['endpoint', 'interval', 'focus'];
const MIN_INTERVAL = 5;
const MAX_INTERVAL = 86_400;
// Only to tell the URL parser "a path on this site"; never fetched.
const PROBE_ORIGIN = 'https://origin.invalid';

/**
 * Validates the `live` option once (at kit creation, or when the client
 * provider first gets it). `undefined` and `false` turn it off.
 *
 * @example
 * ```ts
 * resolveLive({ endpoint: '/api/session/client' }); // { endpoint: '/api/session/client', interval: undefined, focus: true }
 * resolveLive({ endpoint: 'https://evil.example/' }); // throws SessionConfigError
 * ```
 */
export function resolveLive(option: unknown): ResolvedLive | undefined {
  if (option === undefined || option === false) return undefined;
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new SessionConfigError(
      "`live` must be an object such as { endpoint: '/api/session/client' }, the path where your app " +
        'mounts `export const GET = clientSessionHandler`.',
    );
  }
  rejectUnknownOptions(option, KEYS, '`live` option');
  const { endpoint, interval, focus } = option as Record<string, unknown>;
  return { endpoint: validEndpoint(endpoint), interval: validInterval(interval), focus: validFocus(focus) };
}

function validEndpoint(endpoint: unknown): string {
  // Parsed as the browser would resolve it: anything that leaves this origin
  // ("//host", "\\host", "https:"), or that the browser would rewrite (spaces,
  // "..", a query or fragment), reads back differently.
  let same = false;
  if (typeof endpoint === 'string' && endpoint.startsWith('/') && endpoint.length <= 1024) {
    try {
      const url = new URL(endpoint, PROBE_ORIGIN);
      same = url.origin === PROBE_ORIGIN && url.pathname === endpoint && url.search === '' && url.hash === '';
    } catch {
      same = false;
    }
  }
  if (!same) {
    throw new SessionConfigError(
      "`live.endpoint` must be a path on this site such as '/api/session/client' (no scheme, host, query, " +
        "'#', '..', spaces or backslashes), where your app mounts `export const GET = clientSessionHandler`.",
    );
  }
  return endpoint as string;
}

function validInterval(interval: unknown): number | undefined {
  if (interval === undefined) return undefined;
  if (
    typeof interval !== 'number' ||
    !Number.isInteger(interval) ||
    interval < MIN_INTERVAL ||
    interval > MAX_INTERVAL
  ) {
    throw new SessionConfigError(
      `\`live.interval\` must be a whole number of seconds between ${MIN_INTERVAL} and ${MAX_INTERVAL}, ` +
        'e.g. 300 to refetch every five minutes; leave it out to refetch only on changes and focus.',
    );
  }
  return interval;
}

function validFocus(focus: unknown): boolean {
  if (focus === undefined) return true;
  if (typeof focus !== 'boolean') throw new SessionConfigError('`live.focus` must be true or false.');
  return focus;
}
