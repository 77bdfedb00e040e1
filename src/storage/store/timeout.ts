import { SessionStoreError } from '../../errors.ts';

/**
 * Runs a store call with a deadline. A slow or unreachable store becomes a
 * `SessionStoreError` (with the original error as `cause`) instead of a
 * request that hangs or a session that silently comes back empty. Messages
 * name the store and the operation, never keys or tokens. The call itself
 * is not cancelled (clients offer no way to): a client that queues commands
 * while disconnected may still apply a write reported as timed out.
 *
 * `map` turns the answer into the result in the same step (one promise per
 * call instead of two on the hot path); an error it throws becomes a
 * `SessionStoreError` too.
 */
export function guarded<T, R = T>(
  store: string,
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
  map?: (value: T) => R,
): Promise<R> {
  let pending: Promise<T>;
  try {
    pending = call();
  } catch (error) {
    pending = Promise.reject(error);
  }
  // No Promise.race and no timer per call: this wraps every store call, and
  // both showed up in the store benchmark. One shared sweep enforces deadlines.
  const entry: Deadline = {
    at: Date.now() + timeoutMs,
    done: false,
    resolve: noop,
    reject: noop,
    store,
    operation,
    timeoutMs,
  };
  capturing = entry;
  const result = new Promise<R>(capture);
  watch(entry);
  pending.then(
    (value) => {
      settle(entry);
      try {
        entry.resolve(map === undefined ? value : map(value));
      } catch (error) {
        entry.reject(failure(error, store, operation));
      }
    },
    (error: unknown) => {
      settle(entry);
      entry.reject(failure(error, store, operation));
    },
  );
  return result;
}

const noop = (): void => {};
// The promise executor runs synchronously inside `new Promise`: a shared one
// hands resolve and reject to the entry being created, one closure fewer per call.
let capturing: Deadline | undefined;
function capture(resolve: (value: never) => void, reject: (error: SessionStoreError) => void): void {
  const entry = capturing as Deadline;
  entry.resolve = resolve as (value: unknown) => void;
  entry.reject = reject;
  capturing = undefined;
}

function failure(error: unknown, store: string, operation: string): SessionStoreError {
  return error instanceof SessionStoreError
    ? error
    : new SessionStoreError(`The session store (${store}) failed during ${operation}.`, { cause: error });
}

// The message is built only when a deadline passes, never per call.
interface Deadline {
  at: number;
  /** Settled (answered or timed out): the next sweep drops it. */
  done: boolean;
  resolve: (value: unknown) => void;
  reject: (error: SessionStoreError) => void;
  store: string;
  operation: string;
  timeoutMs: number;
}

// Deadlines are checked every SWEEP_MS while any call is in flight, so a
// timeout fires at most that much late; the interval never keeps a process
// alive. A plain array with a `done` flag, not a Set: a Set of fresh objects
// makes V8 assign each one an identity hash, which cost more than the rest of
// this function together.
const SWEEP_MS = 20;
let watched: Deadline[] = [];
let sweeper: ReturnType<typeof setInterval> | undefined;

function watch(entry: Deadline): void {
  watched.push(entry);
  if (sweeper !== undefined) return;
  sweeper = setInterval(sweep, SWEEP_MS);
  (sweeper as { unref?: () => void }).unref?.();
}

// Calls awaited one after another settle last-in first-out: drop those at
// once, so the list stays as short as the number of calls in flight.
function settle(entry: Deadline): void {
  entry.done = true;
  while (watched.length > 0 && (watched[watched.length - 1] as Deadline).done) watched.pop();
}

function sweep(): void {
  const now = Date.now();
  const live: Deadline[] = [];
  for (const entry of watched) {
    if (entry.done) continue;
    if (entry.at > now) {
      live.push(entry);
      continue;
    }
    entry.done = true;
    entry.reject(
      new SessionStoreError(
        `The session store (${entry.store}) did not answer within ${entry.timeoutMs} ms during ${entry.operation}. ` +
          'Check that it is reachable; the kit reconnects by itself when it is back.',
      ),
    );
  }
  watched = live;
  if (live.length === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}
