/**
 * The browser APIs live sessions use, in one place so unit tests can run
 * two "tabs" in one process. In the browser it is {@link browserEnvironment}.
 *
 * @example
 * ```ts
 * const env: LiveEnvironment = browserEnvironment();
 * env.document.visibilityState; // 'visible'
 * ```
 */
export interface LiveEnvironment {
  fetch(input: string, init: RequestInit): Promise<Response>;
  /** `visibilitychange`, and whether the tab can be seen now. */
  readonly document: EventTarget & { readonly visibilityState: DocumentVisibilityState };
  /** `focus`, `pageshow`, `online` and `storage` events. */
  readonly window: EventTarget;
  /** Absent in old browsers: the `storage` event carries the news instead. */
  readonly BroadcastChannel: typeof BroadcastChannel | undefined;
  /** `localStorage`, or `undefined` where reading it throws (storage disabled, sandboxed frames). */
  storage(): Storage | undefined;
}

/**
 * The real browser's {@link LiveEnvironment}. Call it only in the browser
 * (an effect), never while rendering on the server.
 *
 * @example
 * ```ts
 * useEffect(() => startSnapshotSync(config, hooks, browserEnvironment()).stop, []);
 * ```
 */
export function browserEnvironment(): LiveEnvironment {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    document,
    window,
    BroadcastChannel:
      typeof globalThis.BroadcastChannel === 'function' ? globalThis.BroadcastChannel : undefined,
    storage: () => {
      try {
        return window.localStorage ?? undefined;
      } catch {
        return undefined;
      }
    },
  };
}
