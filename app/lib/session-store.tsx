import 'server-only';
import type { ReactNode } from 'react';

/**
 * True for the kit's SessionStoreError (Redis, KV or Memcached down or too
 * slow). Checked by `code`, which survives bundling (one class per bundle).
 */
export function isSessionStoreError(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ERR_SESSION_STORE'
  );
}

/** Same check for SessionUnsupportedError (a store-only feature with the cookie storage). */
export function isSessionUnsupportedError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'ERR_SESSION_UNSUPPORTED'
  );
}

export const STORE_UNAVAILABLE_MESSAGE = 'Session store unavailable, try again.';

// Only the cause's name and code: a client's own message can quote the
// command it sent (@upstash/redis does), and with it session data.
function logStoreError(error: unknown): void {
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const detail =
    cause instanceof Error ? ` (${cause.name}${typeof code === 'string' ? ` ${code}` : ''})` : '';
  console.error(`[next-session-kit demo] ${(error as Error).message}${detail}`);
}

function StoreUnavailable() {
  return (
    <section aria-labelledby="store-down-heading" className="error-box" data-testid="store-unavailable">
      <h1 id="store-down-heading">{STORE_UNAVAILABLE_MESSAGE}</h1>
      <p>The session store did not answer. Nothing was lost on your side: reload this page in a moment.</p>
    </section>
  );
}

/**
 * Renders a page that reads the session; if the session store is down, shows
 * "Session store unavailable, try again" instead of an error page.
 *
 * The status stays 200: a server component cannot set the HTTP status (and
 * error.tsx boundaries cannot either). Clients that need a real 503 use the
 * Route Handler `/api/session`, which goes through {@link withSessionStoreResponse}.
 * Call getSession() inside `render` (not in child components) so its failure is caught here.
 */
export async function withSessionStore(render: () => Promise<ReactNode>): Promise<ReactNode> {
  try {
    return await render();
  } catch (error) {
    // Anything else, including redirect() and notFound(), goes on to Next.
    if (!isSessionStoreError(error)) throw error;
    logStoreError(error);
    return <StoreUnavailable />;
  }
}

/** Runs a Route Handler; a session-store outage becomes `503 { error: 'session store unavailable' }`. */
export async function withSessionStoreResponse(handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (!isSessionStoreError(error)) throw error;
    logStoreError(error);
    return Response.json(
      { error: 'session store unavailable' },
      { status: 503, headers: { 'Cache-Control': 'private, no-store', 'Retry-After': '1' } },
    );
  }
}
