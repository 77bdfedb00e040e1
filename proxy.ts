import { type NextRequest, NextResponse } from 'next/server';
import { guard } from './app/lib/session';
import { isSessionStoreError, withSessionStoreResponse } from './app/lib/session-store';

// `npm run bench:http`'s no-op floor (see proxy() below).
const BENCH_FLOOR_PATHS: ReadonlySet<string> = new Set(['/api/bench-floor', '/api/bench-floor/session']);

/**
 * The route guard (Node.js runtime in Next 16), on every request but static assets:
 *
 * - signed-out visitors of a protected path go to `/login?next=<path and query>`
 *   (pages) or get `401 { error: 'unauthenticated' }` (under `/api/`);
 * - cross-site POST/PUT/PATCH/DELETE requests get 403 (`csrf`), also on the
 *   unprotected `/api/session`;
 * - cookie sessions are re-issued when their idle expiry is due to slide or
 *   they were sealed with an older key, and flash messages reach the render:
 *   on page loads and Server Actions only, never on Next's prefetches and
 *   client-side navigations, whose responses can overtake a login's cookie.
 *
 * Not a security boundary on its own: protected pages re-check the session
 * themselves (see app/dashboard/page.tsx).
 */
const guarded = guard({
  protect: ['/dashboard', '/sessions', '/api/private'],
  loginPath: '/login',
  csrf: true,
});

/**
 * The guard loads the session, so with a session store it fails while the
 * store is down. The API then answers the same 503 as its Route Handlers; pages
 * render and say "Session store unavailable" themselves (withSessionStore):
 * they need the session too, so a protected page shows nothing private.
 */
export async function proxy(request: NextRequest): Promise<Response> {
  const { pathname } = request.nextUrl;
  // `npm run bench:http`'s floor: what any proxy.ts costs, on this matcher, doing
  // nothing. Exact paths of two bench-only GET routes (404 unless BENCH_ROUTES=1),
  // so it lets through nothing the guard would stop.
  if (BENCH_FLOOR_PATHS.has(pathname)) return NextResponse.next();
  if (pathname === '/api' || pathname.startsWith('/api/')) {
    return withSessionStoreResponse(() => guarded(request));
  }
  try {
    return await guarded(request);
  } catch (error) {
    if (!isSessionStoreError(error)) throw error;
    return NextResponse.next();
  }
}

export const config = {
  // Everything but static assets, which carry no session, and the benchmark's
  // routes (404 unless started with BENCH_ROUTES=1), which measure handlers alone.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|bench/).*)'],
};
