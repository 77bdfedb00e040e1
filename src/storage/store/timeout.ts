import { SessionStoreError } from '../../errors.ts';

/**
 * Runs a store call with a deadline. A slow or unreachable backend becomes a
 * `SessionStoreError` (with the original error as `cause`) instead of a
 * request that hangs or a session that silently comes back empty. Messages
 * name the backend and the operation, never keys or tokens. The call itself
 * is not cancelled (clients offer no way to): a client that queues commands
 * while disconnected may still apply a write reported as timed out.
 *
 * @example
 * ```ts
 * const record = await guarded('redis', 'load', 2000, () => driver.load(key));
 * ```
 */
export function guarded<T>(
  backend: string,
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  // No Promise.race and no timer per call: this wraps every store call, and
  // both showed up in the store benchmark. One shared sweep enforces deadlines.
  return new Promise<T>((resolve, reject) => {
    const entry: Deadline = {
      at: Date.now() + timeoutMs,
      expire: () =>
        reject(
          new SessionStoreError(
            `The session store (${backend}) did not answer within ${timeoutMs} ms during ${operation}. ` +
              'Check that it is reachable; the kit reconnects by itself when it is back.',
          ),
        ),
    };
    watch(entry);
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        deadlines.delete(entry);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.delete(entry);
        reject(
          error instanceof SessionStoreError
            ? error
            : new SessionStoreError(`The session store (${backend}) failed during ${operation}.`, {
                cause: error,
              }),
        );
      },
    );
  });
}

interface Deadline {
  at: number;
  expire: () => void;
}

// Deadlines are checked every SWEEP_MS while any call is in flight, so a
// timeout fires at most that much late; the interval never keeps a process alive.
const SWEEP_MS = 20;
const deadlines = new Set<Deadline>();
let sweeper: ReturnType<typeof setInterval> | undefined;

function watch(entry: Deadline): void {
  deadlines.add(entry);
  if (sweeper !== undefined) return;
  sweeper = setInterval(sweep, SWEEP_MS);
  (sweeper as { unref?: () => void }).unref?.();
}

function sweep(): void {
  const now = Date.now();
  for (const entry of deadlines) {
    if (entry.at <= now) {
      deadlines.delete(entry);
      entry.expire();
    }
  }
  if (deadlines.size === 0 && sweeper !== undefined) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}
