import { type NextRequest, NextResponse } from 'next/server.js';
import { saveForRender } from '../engine/commit.ts';
import type { SessionEngine } from '../engine.ts';
import { isSnapshotRequest } from '../live/protocol.ts';
import { asSession, type Session, type SessionCore, type SessionImpl } from '../session.ts';
import { hasPendingFlash } from '../session-flash.ts';
import type { CookieJar, CookieWriteOptions, SessionData } from '../types.ts';
import { HAND_OFF_HEADER, offerHandOff } from './hand-off.ts';
import { maySetSessionCookie } from './request-kind.ts';

/**
 * A session loaded in `proxy.ts` (or `middleware.ts`), with the means to send
 * its cookie changes both to the browser and to the render of this same
 * request.
 *
 * @example
 * ```ts
 * export async function proxy(request: NextRequest) {
 *   const { session, next, apply } = await proxySession(request);
 *   if (!session.userId) return apply(NextResponse.redirect(new URL('/login', request.url)));
 *   return next();
 * }
 * ```
 */
export interface ProxySession<Data extends SessionData = SessionData> {
  session: Session<Data>;
  /**
   * `NextResponse.next()` that forwards the updated cookies to this request's
   * render (so server components already see them) and sets them on the
   * response. With a cookie storage it also hands pending flash messages to
   * this render (and removes them from the browser's cookie). When that
   * render is Next's own rendering of a Server Action's `redirect()` target,
   * it answers 204 instead, so the browser loads the page itself (a full
   * navigation) and the message shows exactly once. The session itself is
   * handed to that render too (a random, single-use id in a request header
   * the proxy always sets or removes): its `getSession()` takes it instead of
   * loading it again, when it sees the same session cookie.
   */
  next(): Promise<NextResponse>;
  /** Copies the pending cookie changes onto any response (a redirect, JSON); flash messages stay pending. */
  apply<R extends NextResponse>(response: R): R;
  /**
   * Whether a cookie written in the response to this request is safe from
   * racing the user's other requests: true for a page load, a Server Action
   * and a client without Fetch Metadata (curl, a test); false for Next's
   * router fetches (client-side navigations and prefetches, which the proxy
   * cannot tell apart), the browser's prefetches and other subresources, and
   * `useSession()`'s snapshot fetches (the `live` option), whose session is
   * also loaded without sliding its expiry.
   * Their responses can arrive after a newer cookie (a login's, a logout's)
   * and replace it. The guard writes only where this is true; a proxy of your
   * own that saves on every request should check it too.
   */
  maySetCookie: boolean;
}

interface Write {
  name: string;
  value: string;
  options: CookieWriteOptions;
}

/**
 * `proxySession()` bound to a kit's engine.
 *
 * @internal
 */
export function createProxySession(engine: SessionEngine) {
  return async <Data extends SessionData>(request: NextRequest): Promise<ProxySession<Data>> =>
    (await loadProxySession<Data>(engine, request)).proxy;
}

/**
 * Loads the session from a `NextRequest`: the app's typed view, and the
 * engine's session for the guard. `save()` on it records cookie writes that
 * `next()`/`apply()` then deliver.
 *
 * @internal
 */
export async function loadProxySession<Data extends SessionData>(
  engine: SessionEngine,
  request: NextRequest,
): Promise<{ proxy: ProxySession<Data>; core: SessionImpl }> {
  const writes: Write[] = [];
  const jar = recordingJar(request, writes);
  const secure = request.nextUrl.protocol === 'https:' || forwardedHttps(request);
  // useSession()'s background refetch (the `live` option): read, never
  // slide the expiry, never write, or following the session would keep it alive.
  const snapshot = isSnapshotRequest(request);
  const core = await engine.load(jar, (session) => engine.commit(session, jar, secure), secure, snapshot);
  const maySetCookie = !snapshot && maySetSessionCookie(request);
  // Set when the browser's cookie must differ from what this render sees.
  let browserOnly = false;
  const apply = <R extends NextResponse>(response: R): R => {
    for (const { name, value, options } of writes) {
      // Next lays cookies set through response.cookies over this render's
      // request cookies, which would hide the forwarded flash; a raw
      // Set-Cookie header only reaches the browser.
      if (browserOnly) response.headers.append('set-cookie', serializeCookie(name, value, options));
      else response.cookies.set(name, value, options);
    }
    return response;
  };
  const flashInCookie = engine.storage.flash.via === 'cookie';
  const next = async (): Promise<NextResponse> => {
    if (flashInCookie && isActionRedirectRender(request) && hasPendingFlash(core)) {
      return apply(deferToBrowser());
    }
    // Only page loads: a Server Action (POST) sets its own cookie in the
    // same response, and a raw Set-Cookie from here could land after it;
    // Next's router fetches and prefetches race with the user's requests.
    const render = request.method === 'GET' || request.method === 'HEAD';
    if (flashInCookie && render && maySetCookie)
      browserOnly = await forwardFlash(engine, core, request, secure);
    // Forwarding request headers makes Next copy every header into the
    // response and back into the render's request (a third of a no-op
    // proxy's cost again, profiled): only when the render must see new
    // cookies or the hand-off.
    const forwards = writes.length > 0 || browserOnly;
    // The render takes this session instead of loading it again: one store
    // round trip per request. A cookie storage's load is only a decrypt,
    // cheaper than forwarding the headers to carry the hand-off, so it is
    // handed over only when they are forwarded anyway. A hand-off header the
    // client sent is overwritten or removed, never passed on.
    const handOff =
      forwards || engine.storage.loadsFromCookie !== true
        ? await offerHandOff(engine, core, jar, secure)
        : undefined;
    const forged = request.headers.has(HAND_OFF_HEADER);
    if (!forwards && handOff === undefined && !forged) return NextResponse.next();
    if (handOff === undefined) request.headers.delete(HAND_OFF_HEADER);
    else request.headers.set(HAND_OFF_HEADER, handOff);
    return apply(NextResponse.next({ request: { headers: request.headers } }));
  };
  return { proxy: { session: asSession<Data>(core), next, apply, maySetCookie }, core };
}

/**
 * `NextResponse.next()` for a request the proxy passes on without loading
 * its session: a hand-off header the client sent is removed on the way.
 *
 * @internal
 */
export function passOn(request: NextRequest): NextResponse {
  if (!request.headers.has(HAND_OFF_HEADER)) return NextResponse.next();
  request.headers.delete(HAND_OFF_HEADER);
  return NextResponse.next({ request: { headers: request.headers } });
}

// The request's cookies, with every write recorded for the response and
// mirrored into the request's Cookie header, which next() forwards.
function recordingJar(request: NextRequest, writes: Write[]): CookieJar {
  return {
    get: (name) => request.cookies.get(name),
    getAll: () => request.cookies.getAll(),
    set: (name, value, options) => {
      writes.push({ name, value, options });
      if (options.maxAge === 0) request.cookies.delete(name);
      else request.cookies.set(name, value);
    },
  };
}

// Flash messages with a cookie storage, when the request goes on to render:
// the browser gets the cookie without them, the render gets them. True when
// the forwarded cookie now differs from the browser's.
async function forwardFlash(
  engine: SessionEngine,
  session: SessionImpl,
  request: NextRequest,
  secure: boolean,
): Promise<boolean> {
  if (!showPendingFlash(session)) return false;
  await session.save();
  const forwarded = await saveForRender(engine, session);
  if (forwarded === null) return false;
  const cookieName = engine.cookies.on(secure).name;
  for (const { name } of request.cookies.getAll()) {
    if (name.startsWith(`${cookieName}.`)) request.cookies.delete(name);
  }
  request.cookies.set(cookieName, forwarded);
  return true;
}

// Cookie storages: moves the pending flash messages to `shown`, for this
// render only, and marks the session for a write that drops them from the
// browser's cookie. False when there were none.
function showPendingFlash(session: SessionCore): boolean {
  const { state, changes } = session;
  if (state.flash === undefined || !hasPendingFlash(session)) return false;
  state.shown = { ...state.shown, ...state.flash };
  delete state.flash;
  changes.dirty = true;
  changes.cleared = true;
  return true;
}

/**
 * Whether Next is rendering the target of a Server Action's `redirect()`:
 * it fetches the page itself, with the action's `x-action-redirect` response
 * header among the request headers, and drops that response's Set-Cookie.
 */
function isActionRedirectRender(request: NextRequest): boolean {
  return request.headers.has('x-action-redirect') && (request.method === 'GET' || request.method === 'HEAD');
}

/**
 * A flash message in a cookie can only be shown once if the response that
 * shows it also clears it in the browser, which Next's action-redirect render
 * cannot do. A response that is not a Flight payload makes Next fall back to
 * a plain navigation by the browser, whose request does both.
 */
function deferToBrowser(): NextResponse {
  return new NextResponse(null, { status: 204, headers: { 'cache-control': 'private, no-store' } });
}

function serializeCookie(name: string, value: string, options: CookieWriteOptions): string {
  let line = `${name}=${value}; Path=${options.path}`;
  if (options.expires !== undefined) line += `; Expires=${options.expires.toUTCString()}`;
  if (options.maxAge !== undefined) line += `; Max-Age=${options.maxAge}`;
  if (options.domain !== undefined) line += `; Domain=${options.domain}`;
  if (options.secure) line += '; Secure';
  if (options.httpOnly) line += '; HttpOnly';
  return `${line}; SameSite=${options.sameSite}`;
}

function forwardedHttps(request: NextRequest): boolean {
  return request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}
