import { type NextRequest, NextResponse } from 'next/server.js';
import type { SessionEngine } from '../engine.ts';
import { SessionReadOnlyError } from '../errors.ts';
import { compileProtect, type ProtectOption } from '../guard/paths.ts';
import type { Session } from '../session.ts';
import type { CookieJar, SessionData } from '../types.ts';

/**
 * Options of `guard()`.
 *
 * @example
 * ```ts
 * const options: GuardOptions = { protect: ['/dashboard', '/settings/:path*'], loginPath: '/login' };
 * ```
 */
export interface GuardOptions<Data extends SessionData = SessionData> {
  /** Paths that need a signed-in session (see {@link ProtectOption}). */
  protect: ProtectOption;
  /** Where unauthenticated page requests are sent, with `?next=<path and query>`. */
  loginPath: string;
  /** Extra check on a signed-in session; `false` gives 403. */
  authorize?: (session: Session<Data>) => boolean | Promise<boolean>;
}

/**
 * Builds the `proxy` function for `proxy.ts`.
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

/**
 * @internal Binds `guard()` to a kit's engine.
 *
 * @example
 * ```ts
 * const guard = createGuard(engine);
 * ```
 */
export function createGuard(engine: SessionEngine): Guard {
  return <Data extends SessionData>(options: GuardOptions<Data>) => {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('guard() needs { protect, loginPath }.');
    }
    const isProtected = compileProtect(options.protect);
    const loginPath = options.loginPath;
    if (typeof loginPath !== 'string' || !loginPath.startsWith('/') || loginPath.startsWith('//')) {
      throw new TypeError('`loginPath` must be a path on this site, such as "/login".');
    }
    const authorize = options.authorize;

    return async (request: NextRequest): Promise<NextResponse> => {
      const { pathname, search } = request.nextUrl;
      if (!isProtected(pathname) || pathname === loginPath) return NextResponse.next();
      const readOnly = async (): Promise<void> => {
        throw new SessionReadOnlyError(
          'The session cannot be saved inside guard(); change it in a Server Action or Route Handler.',
        );
      };
      const session = await engine.load<Data>(request.cookies as unknown as CookieJar, readOnly);
      const api = pathname === '/api' || pathname.startsWith('/api/');
      if (session.isNew || session.userId === undefined) {
        if (api) return NextResponse.json({ error: 'unauthenticated' }, { status: 401 });
        const url = new URL(loginPath, request.url);
        url.searchParams.set('next', `${pathname}${search}`);
        return NextResponse.redirect(url, 307);
      }
      if (authorize !== undefined && !(await authorize(session))) {
        return api
          ? NextResponse.json({ error: 'forbidden' }, { status: 403 })
          : new NextResponse('Forbidden', { status: 403 });
      }
      return NextResponse.next();
    };
  };
}
