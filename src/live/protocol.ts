/**
 * The request header the client provider sends with every snapshot fetch
 * (value {@link SNAPSHOT_HEADER_VALUE}). `clientSessionHandler` answers only
 * requests that carry it, and the guard (`proxySession()`) loads their
 * session without sliding its expiry or writing a cookie: following the
 * session in the background must not keep it alive. A page on another site
 * cannot add it without a CORS preflight, which the kit never answers.
 *
 * @example
 * ```ts
 * await fetch('/api/session/client', { headers: { [SNAPSHOT_HEADER]: SNAPSHOT_HEADER_VALUE } });
 * ```
 */
export const SNAPSHOT_HEADER = 'x-session-kit';

/**
 * The value of {@link SNAPSHOT_HEADER}.
 *
 * @example
 * ```ts
 * const isSnapshot = request.headers.get(SNAPSHOT_HEADER) === SNAPSHOT_HEADER_VALUE;
 * ```
 */
export const SNAPSHOT_HEADER_VALUE = 'snapshot';

/**
 * Whether a request is the client provider's snapshot fetch.
 *
 * @example
 * ```ts
 * if (isSnapshotRequest(request)) return peek();
 * ```
 */
export function isSnapshotRequest(request: Request): boolean {
  return request.headers.get(SNAPSHOT_HEADER) === SNAPSHOT_HEADER_VALUE;
}
