import { type NextRequest, NextResponse } from 'next/server.js';
import { hasChanges } from '../change-set.ts';
import { refreshDue } from '../engine/sessions.ts';
import type { SessionEngine } from '../engine.ts';
import { SessionConfigError } from '../errors.ts';
import { isFresh, NOT_FRESH_CODE } from '../freshness.ts';
import { hasControlCharacter } from '../guard/control-characters.ts';
import { verifyOrigin } from '../guard/origin.ts';
import { compileProtect, normalizePath, type ProtectOption } from '../guard/paths.ts';
import { isSnapshotRequest } from '../live/protocol.ts';
import type { Session } from '../session.ts';
import type { SessionData } from '../types.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import { loadProxySession, passOn } from './proxy-session.ts';

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
  /**
   * Paths that need a *fresh* sign-in (step-up): see {@link FreshOptions}.
   * They need a signed-in session too, as if listed in `protect`.
   */
  fresh?: FreshOptions;
}

/**
 * Paths that need a recent sign-in, such as changing a password or an
 * e-mail address. A signed-in request to one of them whose
 * `session.authenticatedAt` is older than `maxAge` seconds (or unknown) is
 * sent to `reauthPath?next=…` (307; under `/api`: 401 JSON with
 * `code: 'ERR_SESSION_NOT_FRESH'`). Paths match as in `protect`. Check
 * Server Actions too, with `requireFreshSession()`: the guard sees the page
 * an action is posted to, not what the action does.
 *
 * @example
 * ```ts
 * const fresh: FreshOptions = { protect: ['/settings'], maxAge: 300, reauthPath: '/login/confirm' };
 * ```
 */
export interface FreshOptions {
  /** Paths that need a fresh sign-in (same syntax and matching as `protect`). */
  protect: ProtectOption;
  /** How old (seconds) a sign-in may be on those paths. */
  maxAge: number;
  /**
   * Where to re-authenticate, as a path within the app (like `loginPath`):
   * call `newSession({ userId, keepData: true })` there once the user proved
   * who they are, then `redirect(safeNextPath(next))`. Never itself held to
   * freshness.
   */
  reauthPath: string;
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

const GUARD_KEYS = ['protect', 'loginPath', 'authorize', 'csrf', 'fresh'];
const FRESH_KEYS = ['protect', 'maxAge', 'reauthPath'];
// 400 days: no session lives longer (see `maxAge` of createSessionKit()).
const MAX_FRESH_AGE = 400 * 24 * 60 * 60;

/**
 * @internal Binds `guard()` to a kit's engine.
 */
export function createGuard(engine: SessionEngine): Guard {
  return <Data extends SessionData>(options: GuardOptions<Data>) => {
    const rules = compileGuard(options);
    return (request: NextRequest) => guardRequest(engine, rules, request);
  };
}

// A guard's options, validated once, at `guard()`.
interface GuardRules<Data extends SessionData> {
  isProtected: (pathname: string) => boolean;
  login: PagePath;
  fresh: ResolvedFresh | undefined;
  authorize: GuardOptions<Data>['authorize'];
  csrf: GuardOptions<Data>['csrf'];
  originOptions: { allowedOrigins?: readonly string[] };
}

function compileGuard<Data extends SessionData>(options: GuardOptions<Data>): GuardRules<Data> {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('guard() needs { protect, loginPath }.');
  }
  rejectUnknownOptions(options, GUARD_KEYS, 'guard() option');
  const isProtected = compileProtect(options.protect);
  const { authorize, csrf } = options;
  const login = parsePagePath('loginPath', options.loginPath);
  const fresh = resolveFresh(options.fresh);
  if (authorize !== undefined && typeof authorize !== 'function') {
    throw new SessionConfigError('`authorize` must be a function (session) => boolean.');
  }
  const originOptions = typeof csrf === 'object' && csrf !== null ? csrf : {};
  return { isProtected, login, fresh, authorize, csrf, originOptions };
}

async function guardRequest<Data extends SessionData>(
  engine: SessionEngine,
  rules: GuardRules<Data>,
  request: NextRequest,
): Promise<NextResponse> {
  const { login, fresh, authorize } = rules;
  // Without the basePath, still percent-encoded: "/dashboard/%0A42".
  const { pathname } = request.nextUrl;
  // As the router resolves it: "/%61pi/x" is a Route Handler too.
  const path = normalizePath(pathname);
  const api = path === '/api' || path.startsWith('/api/');
  if (rules.csrf && !verifyOrigin(request, rules.originOptions)) {
    return api
      ? NextResponse.json({ error: 'cross-site request refused' }, { status: 403 })
      : new NextResponse('Forbidden: cross-site request', { status: 403 });
  }
  // useSession()'s snapshot fetch (the `live` option) may neither write
  // nor slide the expiry, so on an open path the guard has nothing to do
  // with its session: the handler's read is the fetch's only store call.
  const needsFresh = fresh !== undefined && path !== fresh.page.normalized && fresh.isProtected(pathname);
  const open = path === login.normalized || (!needsFresh && !rules.isProtected(pathname));
  if (open && isSnapshotRequest(request)) return passOn(request);
  const { proxy, core } = await loadProxySession<Data>(engine, request);
  const { session, next, apply, maySetCookie } = proxy;
  // Rolling expiry and key rotation: re-issue the cookie when it is due
  // (or sealed with an older key, or rejected), into both the response
  // and this request's render. Nothing is written otherwise, and nothing
  // on requests that race with the user's own: a prefetch sent with the
  // cookie from before a login can come back after the login's response.
  if (maySetCookie) {
    if (refreshDue(engine, core)) session.touch();
    // Also a read the store answered: its `cookieCache` copy is written here.
    if (hasChanges(core.changes)) await session.save();
  }

  if (open) return next();
  if (session.isNew || session.userId === undefined) {
    if (api) return apply(NextResponse.json({ error: 'unauthenticated' }, { status: 401 }));
    return apply(sendTo(login, request));
  }
  if (authorize !== undefined && !(await authorize(session))) {
    return apply(
      api
        ? NextResponse.json({ error: 'forbidden' }, { status: 403 })
        : new NextResponse('Forbidden', { status: 403 }),
    );
  }
  if (needsFresh && !isFresh(session.authenticatedAt, fresh.maxAge, engine.options.now())) {
    if (api) {
      const body = { error: 'reauthentication required', code: NOT_FRESH_CODE };
      return apply(NextResponse.json(body, { status: 401 }));
    }
    return apply(sendTo(fresh.page, request));
  }
  return next();
}

interface PagePath {
  path: string;
  query: string;
  /** What a request for the page normalizes to. */
  normalized: string;
}

interface ResolvedFresh {
  isProtected: (pathname: string) => boolean;
  maxAge: number;
  page: PagePath;
}

// A page request sent to `page` (the login or re-authentication page), with
// `next` the path and query it asked for, within the app. The origin from
// request.url, then the basePath: `page` is a path within the app.
function sendTo(page: PagePath, request: NextRequest): NextResponse {
  const { pathname, search, basePath } = request.nextUrl;
  const url = new URL(`${basePath}${page.path}${page.query}`, request.url);
  url.searchParams.set('next', `${pathname}${search}`);
  return NextResponse.redirect(url, 307);
}

function resolveFresh(fresh: unknown): ResolvedFresh | undefined {
  if (fresh === undefined) return undefined;
  if (typeof fresh !== 'object' || fresh === null) {
    throw new SessionConfigError('`fresh` must be { protect, maxAge, reauthPath }.');
  }
  rejectUnknownOptions(fresh, FRESH_KEYS, 'guard() fresh option');
  const { protect, maxAge, reauthPath } = fresh as FreshOptions;
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 1 || maxAge > MAX_FRESH_AGE) {
    throw new SessionConfigError(
      '`fresh.maxAge` must be a whole number of seconds between 1 and 34560000, e.g. 300 for five minutes.',
    );
  }
  return {
    isProtected: compileProtect(protect),
    maxAge,
    page: parsePagePath('fresh.reauthPath', reauthPath),
  };
}

function parsePagePath(name: string, value: unknown): PagePath {
  if (
    typeof value !== 'string' ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    /[\s#\\]/.test(value) ||
    hasControlCharacter(value)
  ) {
    throw new SessionConfigError(
      `\`${name}\` must be a path on this site, such as "/login" (a query may follow; no "#", "\\", spaces or control characters).`,
    );
  }
  const mark = value.indexOf('?');
  const path = mark === -1 ? value : value.slice(0, mark);
  const query = mark === -1 ? '' : value.slice(mark);
  return { path, query, normalized: normalizePath(path) };
}
