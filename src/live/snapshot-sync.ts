import type { ClientSessionData } from '../expose.ts';
import type { LiveEnvironment } from './environment.ts';
import type { ResolvedLive } from './options.ts';
import { endpointWarning, fetchSnapshot } from './snapshot-fetch.ts';
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
  const sync: SyncState = {
    config,
    hooks,
    env,
    warn: endpointWarning(config, (message) => hooks.warn(message)),
    stopped: false,
    pending: undefined,
    inFlight: false,
    again: false,
    missed: false,
    generation: 0,
  };
  let announced: string | undefined;
  const channel = openTabChannel(`next-session-kit:${config.endpoint}`, (json) => heard(sync, json), env);
  const unlisten = listen(sync);
  return {
    landed(json) {
      if (sync.stopped) return;
      sync.generation++;
      if (json === announced) return;
      announced = json;
      channel.post(json);
    },
    stop() {
      if (sync.stopped) return;
      sync.stopped = true;
      if (sync.pending !== undefined) clearTimeout(sync.pending);
      unlisten();
      channel.close();
    },
  };
}

// One tab's sync: what it was configured with, and where its fetching stands.
interface SyncState {
  readonly config: ResolvedLive;
  readonly hooks: SnapshotSyncHooks;
  readonly env: LiveEnvironment;
  readonly warn: (what: string) => void;
  stopped: boolean;
  /** A fetch asked for, starting after COALESCE_MS. */
  pending: ReturnType<typeof setTimeout> | undefined;
  inFlight: boolean;
  /** Asked during a fetch: fetch once more afterwards. */
  again: boolean;
  /** Asked while hidden: fetch when the tab shows again. */
  missed: boolean;
  /** Counts server renders that landed, to tell whether one came during a fetch. */
  generation: number;
}

const visible = (sync: SyncState): boolean => sync.env.document.visibilityState === 'visible';

function ask(sync: SyncState): void {
  if (sync.stopped) return;
  if (!visible(sync)) {
    sync.missed = true;
    return;
  }
  // Not pushed back by later events: the fetch starts at most COALESCE_MS after the first.
  sync.pending ??= setTimeout(() => {
    sync.pending = undefined;
    void run(sync);
  }, COALESCE_MS);
}

async function run(sync: SyncState): Promise<void> {
  if (sync.stopped) return;
  if (!visible(sync)) {
    sync.missed = true;
    return;
  }
  if (sync.inFlight) {
    sync.again = true;
    return;
  }
  sync.inFlight = true;
  const started = sync.generation;
  try {
    const snapshot = await fetchSnapshot(sync.config, sync.env, sync.warn);
    if (sync.stopped || snapshot === undefined) return;
    // A server render landed while this fetch was under way: either may be
    // the newer one, so ask once more rather than guess.
    if (sync.generation !== started) {
      sync.again = true;
      return;
    }
    if (JSON.stringify(snapshot) !== sync.hooks.shown()) sync.hooks.receive(snapshot);
  } finally {
    sync.inFlight = false;
    if (sync.again) {
      sync.again = false;
      ask(sync);
    }
  }
}

// Another tab announced a snapshot (JSON, if it could be read).
function heard(sync: SyncState, snapshot: string | undefined): void {
  // Already showing what the other tab shows: nothing to fetch, unless a
  // fetch under way may still bring back something older.
  if (!sync.inFlight && snapshot !== undefined && snapshot === sync.hooks.shown()) return;
  if (sync.inFlight) sync.again = true;
  else ask(sync);
}

// The occasions to fetch: the tab shows again, the window gets the focus,
// the back/forward cache, the network is back, the interval. Returns how to stop.
function listen(sync: SyncState): () => void {
  const { config, env } = sync;
  const onVisibility = (): void => {
    if (!visible(sync)) return;
    if (sync.missed || config.focus) {
      sync.missed = false;
      ask(sync);
    }
  };
  const onFocus = (): void => {
    if (config.focus) ask(sync);
  };
  // Back/forward cache and a network that came back: the page may have missed anything.
  const onPageShow = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted === true) ask(sync);
  };
  const onOnline = (): void => ask(sync);
  env.document.addEventListener('visibilitychange', onVisibility);
  env.window.addEventListener('focus', onFocus);
  env.window.addEventListener('pageshow', onPageShow);
  env.window.addEventListener('online', onOnline);
  const interval =
    config.interval === undefined ? undefined : setInterval(() => ask(sync), config.interval * 1000);
  return () => {
    if (interval !== undefined) clearInterval(interval);
    env.document.removeEventListener('visibilitychange', onVisibility);
    env.window.removeEventListener('focus', onFocus);
    env.window.removeEventListener('pageshow', onPageShow);
    env.window.removeEventListener('online', onOnline);
  };
}
