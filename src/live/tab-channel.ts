import type { LiveEnvironment } from './environment.ts';

/**
 * A line between the tabs of one origin in one browser: "the session may
 * have changed". With `BroadcastChannel` the note carries the sender's
 * snapshot (JSON), so a tab that already shows the same can skip its fetch;
 * it stays in memory, in tabs that hold the same snapshot anyway. Where only
 * the `storage` event is available the note carries nothing of the session,
 * because `localStorage` is written to disk.
 *
 * @example
 * ```ts
 * const channel = openTabChannel('next-session-kit:/api/session/client', (snapshot) => refetch(snapshot), env);
 * channel.post('{"user":"ada"}');
 * channel.close();
 * ```
 */
export interface TabChannel {
  /** Tells the other tabs; `snapshot` is what this tab now shows, as JSON. */
  post(snapshot: string): void;
  close(): void;
}

/** Longest snapshot a note carries; a larger one goes as a bare note. */
const MAX_NOTE = 64 * 1024;

/**
 * Opens the channel `name`: `BroadcastChannel` where the browser has it,
 * else `localStorage` and its `storage` event, else nothing (no other tab
 * hears, and nothing fails). `receive` gets the sender's snapshot JSON, or
 * `undefined` when the note carries none. Notes that do not look like the
 * kit's are ignored.
 *
 * @example
 * ```ts
 * const channel = openTabChannel('next-session-kit:/api/session/client', console.log, browserEnvironment());
 * ```
 */
export function openTabChannel(
  name: string,
  receive: (snapshot: string | undefined) => void,
  env: LiveEnvironment,
): TabChannel {
  return broadcastChannel(name, receive, env) ?? storageChannel(name, receive, env) ?? silent();
}

function broadcastChannel(
  name: string,
  receive: (snapshot: string | undefined) => void,
  env: LiveEnvironment,
): TabChannel | undefined {
  const Channel = env.BroadcastChannel;
  if (Channel === undefined) return undefined;
  let channel: BroadcastChannel;
  try {
    channel = new Channel(name);
  } catch {
    return undefined;
  }
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const note = event.data;
    if (typeof note !== 'object' || note === null || (note as { v?: unknown }).v !== 1) return;
    const snapshot = (note as { snapshot?: unknown }).snapshot;
    receive(typeof snapshot === 'string' && snapshot.length <= MAX_NOTE ? snapshot : undefined);
  };
  return {
    post(snapshot) {
      try {
        channel.postMessage(snapshot.length <= MAX_NOTE ? { v: 1, snapshot } : { v: 1 });
      } catch {
        // Closed meanwhile (the page is going away): nobody left to tell.
      }
    },
    close: () => channel.close(),
  };
}

function storageChannel(
  name: string,
  receive: (snapshot: string | undefined) => void,
  env: LiveEnvironment,
): TabChannel | undefined {
  const storage = env.storage();
  if (storage === undefined) return undefined;
  const onStorage = (event: Event): void => {
    const { key, newValue } = event as StorageEvent;
    // Only the write; the removal that follows it fires a second event.
    if (key === name && typeof newValue === 'string' && newValue.startsWith('{"v":1')) receive(undefined);
  };
  env.window.addEventListener('storage', onStorage);
  return {
    post() {
      try {
        // A new value each time, or a repeated note would fire no event.
        storage.setItem(name, JSON.stringify({ v: 1, nonce: Math.random().toString(36).slice(2) }));
        storage.removeItem(name);
      } catch {
        // Full or refused (private browsing): the other tabs catch up on focus.
      }
    },
    close: () => env.window.removeEventListener('storage', onStorage),
  };
}

function silent(): TabChannel {
  return { post: () => {}, close: () => {} };
}
