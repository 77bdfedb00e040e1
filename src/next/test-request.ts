import type { CookieJar } from '../types.ts';

/**
 * A request simulated by `next-session-kit/testing`: the cookie jar and
 * headers that stand in for `cookies()` and `headers()`, and the callbacks
 * that stand in for `after()`.
 *
 * @internal
 */
export interface TestRequest {
  readonly jar: CookieJar;
  readonly headers: Headers;
  /** Like a server component render: saving throws `SessionReadOnlyError`. */
  readonly readOnly: boolean;
  readonly after: Array<() => void | Promise<void>>;
}

interface RequestStore {
  getStore(): TestRequest | undefined;
}

// The testing entry installs its AsyncLocalStorage here. Production code
// only ever reads this one global: it imports nothing of the testing entry.
const KEY = Symbol.for('next-session-kit.test-request');

/**
 * The test request this code runs in, if any (`withSessionRequest()`).
 *
 * @internal
 */
export function currentTestRequest(): TestRequest | undefined {
  return (globalThis as { [KEY]?: RequestStore })[KEY]?.getStore();
}

/**
 * Installs the store `currentTestRequest()` reads; called by the testing entry.
 *
 * @internal
 */
export function installTestRequestStore<S extends RequestStore>(store: S): S {
  // One store per process, even if the testing entry is loaded twice.
  const slot = globalThis as { [KEY]?: RequestStore };
  slot[KEY] ??= store;
  return slot[KEY] as S;
}
