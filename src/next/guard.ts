import { type NextRequest, NextResponse } from 'next/server.js';
import type { SessionEngine } from '../engine.ts';
import { SessionConfigError } from '../errors.ts';
import { hasControlCharacter } from '../guard/control-characters.ts';
import { verifyOrigin } from '../guard/origin.ts';
import { compileProtect, normalizePath, type ProtectOption } from '../guard/paths.ts';
import { isSnapshotRequest } from '../live/protocol.ts';
import type { Session } from '../session.ts';
import type { SessionData } from '../types.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import { loadProxySession } from './proxy-session.ts';

/**
 * Options of `guard()`.
 *
 * @example
 * ```ts
 * const options: GuardOptions = { protect: ['/dashboard', '/settings/:path*'], loginPath: '/login', csrf: true };
 * ```
 */
export interface GuardOptions<Data extends SessionData = SessionData> {
  /** Paths that need a signed-in session (see {@link ProtectOption}). */
  protect: ProtectOption;
  /**
   * The login page, as a path within the app (`/login`, optionally with a
   * query): the guard puts Next's `basePath` before it, like `redirect()` and
   * `<Link>` do. Unauthenticated page requests are sent there with
   * `?next=<path and query>`, that path also within the app (without the
   * `basePath`), ready for `redirect(safeNextPath(next))`, which adds the
   * `basePath` back. Any spelling of this path (`/login/`, `/%6Cogin`) is let
   * through even when `protect` covers it.
   */
  loginPath: string;
  /** Extra check on a signed-in session; `false` gives 403. */
  authorize?: (session: Session<Data>) => boolean | Promise<boolean>;
  /** Refuse (403) state-changing requests from other sites, by `Origin` / `Sec-Fetch-Site`. */
  csrf?: boolean | { allowedOrigins?: readonly string[] };
}

/**
 * Builds the `proxy` function for `proxy.ts`.
 *
 * Besides sending signed-out visitors to `loginPath`, the guard keeps the
 * cookie current: it re-issues a cookie session due to slide its idle expiry
 * or sealed with an older key, clears a rejected cookie, and hands pending
 * flash messages of a cookie storage to the render. It does so only on
 * requests whose response cannot overtake a newer cookie: page loads
 * (`Sec-Fetch-Mode: navigate`), Server Actions, and clients that send no
 * Fetch Metadata (curl, tests). Never on Next's router fetches (client-side
 * navigations and prefetches, which Next makes indistinguishable before the
 * proxy runs) nor on the browser's prefetches: one sent with the cookie from
 * before a login can come back after the login's response, and a cookie
 * written there would sign the user out or undo a save. So a cookie storage's
 * idle expiry slides on page loads and saves, not on client-side navigations.
 * `useSession()`'s snapshot fetches (the kit's `live` option) neither write
 * nor slide the expiry, with any storage: following the session in the
 * background must not keep it alive. On a path outside `protect` the guard
 * passes them on without reading the session at all (the Route Handler
 * reads it, once).
 *
 * @example
 * ```ts
 * // proxy.ts
 * import { guard } from './lib/session';
 * export const proxy = guard({ protect: ['/dashboard'], loginPath: '/login' });
 * ```
 */
export type Guard = <Data extends SessionData = SessionData>(
  options: GuardOptions<Data>,
) => (request: NextRequest) => Promise<NextResponse>;

const GUARD_KEYS = ['protect', 'loginPath', 'authorize', 'csrf'];

/**
 * @internal Binds `guard()` to a kit's engine.
 */
export function createGuard(engine: SessionEngine): Guard {
  return <Data extends SessionData>(options: GuardOptions<Data>) => {
    if (typeof options !== 'object' || options === null) {
      throw new SessionConfigError('guard() needs { protect, loginPath }.');
    }
    rejectUnknownOptions(options, GUARD_KEYS, 'guard() option');
    const isProtected = compileProtect(options.protect);
    const { authorize, csrf } = options;
    const login = parseLoginPath(options.loginPath);
    if (authorize !== undefined && typeof authorize !== 'function') {
      throw new SessionConfigError('`authorize` must be a function (session) => boolean.');
    }
    const originOptions = typeof csrf === 'object' && csrf !== null ? csrf : {};

    return async (request: NextRequest): Promise<NextResponse> => {
      // Without the basePath, still percent-encoded: "/dashboard/%0A42".
      const { pathname, search, basePath } = request.nextUrl;
      // As the router resolves it: "/%61pi/x" is a Route Handler too.
      const path = normalizePath(pathname);
      const api = path === '/api' || path.startsWith('/api/');
      if (csrf && !verifyOrigin(request, originOptions)) {
        return api
          ? NextResponse.json({ error: 'cross-site request refused' }, { status: 403 })
          : new NextResponse('Forbidden: cross-site request', { status: 403 });
      }
      // useSession()'s snapshot fetch (the `live` option) may neither write
      // nor slide the expiry, so on an open path the guard has nothing to do
      // with its session: the handler's read is the fetch's only store call.
      const open = path === login.normalized || !isProtected(pathname);
      if (open && isSnapshotRequest(request)) return NextResponse.next();
      const { proxy, core } = await loadProxySession<Data>(engine, request);
      const { session, next, apply, maySetCookie } = proxy;
      // Rolling expiry and key rotation: re-issue the cookie when it is due
      // (or sealed with an older key, or rejected), into both the response
      // and this request's render. Nothing is written otherwise, and nothing
      // on requests that race with the user's own: a prefetch sent with the
      // cookie from before a login can come back after the login's response.
      if (maySetCookie) {
        if (engine.refreshDue(core)) session.touch();
        if (session.isChanged) await session.save();
      }

      if (open) return next();
      if (session.isNew || session.userId === undefined) {
        if (api) return apply(NextResponse.json({ error: 'unauthenticated' }, { status: 401 }));
        // The origin from request.url, then the basePath: loginPath is a path within the app.
        const url = new URL(`${basePath}${login.path}${login.query}`, request.url);
        url.searchParams.set('next', `${pathname}${search}`);
        return apply(NextResponse.redirect(url, 307));
      }
      if (authorize !== undefined && !(await authorize(session))) {
        return apply(
          api
            ? NextResponse.json({ error: 'forbidden' }, { status: 403 })
            : new NextResponse('Forbidden', { status: 403 }),
        );
      }
      return next();
    };
  };
}

interface LoginPath {
  path: string;
  query: string;
  /** What a request for the login page normalizes to. */
  normalized: string;
}

function parseLoginPath(loginPath: unknown): LoginPath {
  if (
    typeof loginPath !== 'string' ||
    !loginPath.startsWith('/') ||
    loginPath.startsWith('//') ||
    /[\s#\\]/.test(loginPath) ||
    hasControlCharacter(loginPath)
  ) {
    throw new SessionConfigError(
      '`loginPath` must be a path on this site, such as "/login" (a query may follow; no "#", "\\", spaces or control characters).',
    );
  }
  const mark = loginPath.indexOf('?');
  const path = mark === -1 ? loginPath : loginPath.slice(0, mark);
  const query = mark === -1 ? '' : loginPath.slice(mark);
  return { path, query, normalized: normalizePath(path) };
}
