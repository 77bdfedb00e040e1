import type { ClientSessionData } from '../expose.ts';
import type { LiveEnvironment } from './environment.ts';
import type { ResolvedLive } from './options.ts';
import { SNAPSHOT_HEADER, SNAPSHOT_HEADER_VALUE } from './protocol.ts';

/** A snapshot fetch that takes longer is given up (the tab keeps what it shows). */
export const FETCH_TIMEOUT_MS = 10_000;

/**
 * A warning about a misconfigured endpoint, given to `warn` once per tab.
 *
 * @internal
 */
export function endpointWarning(
  config: ResolvedLive,
  warn: (message: string) => void,
): (what: string) => void {
  let warned = false;
  return (what) => {
    if (warned) return;
    warned = true;
    warn(
      `next-session-kit: the live session endpoint ${config.endpoint} ${what}, so useSession() keeps ` +
        'its last value. Mount `export const GET = clientSessionHandler` there, outside the ' +
        "guard's `protect` (it answers signed-out visitors itself).",
    );
  };
}

/**
 * The server's snapshot from `config.endpoint`; `undefined` when there is
 * none to show: a passing failure (store outage, offline, timeout: try again
 * on the next occasion) or a misconfigured endpoint (said through `warn`).
 *
 * @internal
 */
export async function fetchSnapshot(
  config: ResolvedLive,
  env: LiveEnvironment,
  warn: (what: string) => void,
): Promise<ClientSessionData | undefined> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
  try {
    const response = await env.fetch(config.endpoint, {
      method: 'GET',
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'manual',
      headers: { accept: 'application/json', [SNAPSHOT_HEADER]: SNAPSHOT_HEADER_VALUE },
      signal: controller.signal,
    });
    return await snapshotOf(response, warn);
  } catch {
    // Offline, aborted, or a body cut short.
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function snapshotOf(
  response: Response,
  warn: (what: string) => void,
): Promise<ClientSessionData | undefined> {
  const { status } = response;
  if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
    warn('was redirected');
    return undefined;
  }
  // Store outage (503), server trouble, rate limits: try again on the next occasion.
  if (status >= 500 || status === 408 || status === 429 || status === 0) return undefined;
  if (status !== 200) {
    warn(`answered ${status}`);
    return undefined;
  }
  if (!/^application\/json\b/i.test(response.headers.get('content-type') ?? '')) {
    warn('did not answer JSON');
    return undefined;
  }
  const body: unknown = await response.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    warn('did not answer a JSON object');
    return undefined;
  }
  return body as ClientSessionData;
}
