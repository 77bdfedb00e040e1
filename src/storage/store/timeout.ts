import { SessionStoreError } from '../../errors.ts';

/**
 * Runs a store call with a deadline. A slow or unreachable backend becomes a
 * `SessionStoreError` (with the original error as `cause`) instead of a
 * request that hangs or a session that silently comes back empty. Messages
 * name the backend and the operation, never keys or tokens.
 *
 * @example
 * ```ts
 * const record = await guarded('redis', 'load', 2000, () => driver.load(key));
 * ```
 */
export async function guarded<T>(
  backend: string,
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new SessionStoreError(
          `The session store (${backend}) did not answer within ${timeoutMs} ms during ${operation}. ` +
            'Check that it is reachable; the kit reconnects by itself when it is back.',
        ),
      );
    }, timeoutMs);
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (error) {
    if (error instanceof SessionStoreError) throw error;
    throw new SessionStoreError(`The session store (${backend}) failed during ${operation}.`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}
