import type { ClientSessionData } from '../expose.ts';
import type { LiveEnvironment } from './environment.ts';
import type { ResolvedLive } from './options.ts';
import { SNAPSHOT_HEADER, SNAPSHOT_HEADER_VALUE } from './protocol.ts';
import { openTabChannel } from './tab-channel.ts';

/**
 * What the client provider tells a {@link SnapshotSync}, and hears from it.
 *
 * @example
 * ```ts
 * const hooks: SnapshotSyncHooks = { shown: () => '{}', receive: setSnapshot, warn: console.warn };
 * ```
 */
export interface SnapshotSyncHooks {
  /** What the tab shows now, as JSON. */
  shown(): string;
  /** A snapshot from the server that differs from what the tab shows. */
  receive(snapshot: ClientSessionData): void;
  /** A misconfigured endpoint, said once: the tab keeps what it shows. */
  warn(message: string): void;
}

/**
 * One tab following the server's snapshot of the exposed session fields.
 *
 * @example
 * ```ts
 * const sync = startSnapshotSync(config, hooks, browserEnvironment());
 * sync.landed('{"user":"ada"}');
 * sync.stop();
 * ```
 */
export interface SnapshotSync {
  /**
   * A server render handed the tab this snapshot (JSON): the page load, or a
   * re-render after a Server Action or `router.refresh()`. The first one,
   * and every one that differs from the last, is announced to the other
   * tabs; a fetch still under way is then asked again, as it may be older.
   */
  landed(json: string): void;
  /** Stops listening and fetching; nothing is delivered afterwards. */
  stop(): void;
}

/** Events closer together than this (a tab switch fires `visibilitychange` and `focus`) make one fetch. */
export const COALESCE_MS = 100;
/** A snapshot fetch that takes longer is given up (the tab keeps what it shows). */
export const FETCH_TIMEOUT_MS = 10_000;

/**
 * Starts following the server in this tab. It fetches from `endpoint` when
 * another tab announces a change (unless it announced exactly what this tab
 * shows), when the tab becomes visible or its window gets the focus (`focus`),
 * when the page comes back from the back/forward cache or the network comes
 * back, and every `interval` seconds if set. Never while the tab is hidden:
 * what it missed is fetched when it shows again. At most one fetch runs at a
 * time; asking during one fetches once more afterwards. A failed fetch (store
 * outage, offline, timeout) leaves the snapshot as it was.
 *
 * @example
 * ```ts
 * const sync = startSnapshotSync({ endpoint: '/api/session/client', interval: undefined, focus: true }, hooks, env);
 * ```
 */
export function startSnapshotSync(
  config: ResolvedLive,
  hooks: SnapshotSyncHooks,
  env: LiveEnvironment,
): SnapshotSync {
  let stopped = false;
  let pending: ReturnType<typeof setTimeout> | undefined;
  let inFlight = false;
  let again = false;
  let missed = false;
  let generation = 0;
  let announced: string | undefined;
  let warned = false;

  const visible = (): boolean => env.document.visibilityState === 'visible';

  const ask = (): void => {
    if (stopped) return;
    if (!visible()) {
      missed = true;
      return;
    }
    // Not pushed back by later events: the fetch starts at most COALESCE_MS after the first.
    pending ??= setTimeout(() => {
      pending = undefined;
      void run();
    }, COALESCE_MS);
  };

  const warn = (what: string): void => {
    if (warned) return;
    warned = true;
    hooks.warn(
      `next-session-kit: the live session endpoint ${config.endpoint} ${what}, so useSession() keeps ` +
        'its last value. Mount `export const GET = clientSessionHandler` there, outside the ' +
        "guard's `protect` (it answers signed-out visitors itself).",
    );
  };

  const fetchSnapshot = async (): Promise<ClientSessionData | undefined> => {
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
    } catch {
      // Offline, aborted, or a body cut short.
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  };

  const run = async (): Promise<void> => {
    if (stopped) return;
    if (!visible()) {
      missed = true;
      return;
    }
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    const started = generation;
    try {
      const snapshot = await fetchSnapshot();
      if (stopped || snapshot === undefined) return;
      // A server render landed while this fetch was under way: either may be
      // the newer one, so ask once more rather than guess.
      if (generation !== started) {
        again = true;
        return;
      }
      if (JSON.stringify(snapshot) !== hooks.shown()) hooks.receive(snapshot);
    } finally {
      inFlight = false;
      if (again) {
        again = false;
        ask();
      }
    }
  };

  const channel = openTabChannel(
    `next-session-kit:${config.endpoint}`,
    (snapshot) => {
      // Already showing what the other tab shows: nothing to fetch, unless a
      // fetch under way may still bring back something older.
      if (!inFlight && snapshot !== undefined && snapshot === hooks.shown()) return;
      if (inFlight) again = true;
      else ask();
    },
    env,
  );

  const onVisibility = (): void => {
    if (!visible()) return;
    if (missed || config.focus) {
      missed = false;
      ask();
    }
  };
  const onFocus = (): void => {
    if (config.focus) ask();
  };
  // Back/forward cache and a network that came back: the page may have missed anything.
  const onPageShow = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted === true) ask();
  };
  const onOnline = (): void => ask();

  env.document.addEventListener('visibilitychange', onVisibility);
  env.window.addEventListener('focus', onFocus);
  env.window.addEventListener('pageshow', onPageShow);
  env.window.addEventListener('online', onOnline);
  const interval = config.interval === undefined ? undefined : setInterval(ask, config.interval * 1000);

  return {
    landed(json) {
      if (stopped) return;
      generation++;
      if (json === announced) return;
      announced = json;
      channel.post(json);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (pending !== undefined) clearTimeout(pending);
      if (interval !== undefined) clearInterval(interval);
      env.document.removeEventListener('visibilitychange', onVisibility);
      env.window.removeEventListener('focus', onFocus);
      env.window.removeEventListener('pageshow', onPageShow);
      env.window.removeEventListener('online', onOnline);
      channel.close();
    },
  };
}
