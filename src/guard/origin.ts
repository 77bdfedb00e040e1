const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Options of {@link verifyOrigin}.
 *
 * @example
 * ```ts
 * verifyOrigin(request, { allowedOrigins: ['admin.example.com'] });
 * ```
 */
export interface VerifyOriginOptions {
  /** Extra hosts (`host[:port]`) allowed to send state-changing requests, e.g. a separate admin front end. */
  allowedOrigins?: readonly string[];
}

/**
 * Whether a request may change state, judged by the browser's own headers
 * (CSRF defence): a safe method (GET, HEAD, OPTIONS) always passes; otherwise
 * an `Origin` must name this host (as `x-forwarded-host` or `Host` says) or
 * an allowed one, and must not be plain `http:` when this request is https, and without `Origin` a `Sec-Fetch-Site` must say
 * `same-origin` (or `none`: typed by the user). Requests with neither header
 * come from non-browser clients, which cannot carry a victim's cookies by
 * accident, and pass.
 *
 * Server Actions already get the same check from Next; Route Handlers do not.
 *
 * @example
 * ```ts
 * // app/api/transfer/route.ts
 * export async function POST(request: Request) {
 *   if (!verifyOrigin(request)) return new Response('Forbidden', { status: 403 });
 *   // …
 * }
 * ```
 */
export function verifyOrigin(request: Request, options: VerifyOriginOptions = {}): boolean {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return true;
  const origin = request.headers.get('origin');
  if (origin !== null) {
    const parsed = parseOrigin(origin);
    if (parsed === undefined) return false; // "null" (sandboxed, file:, some redirects) and junk
    // A plain-http page may be a network attacker's injection: it must not act
    // on an https site, even on the same host.
    if (parsed.protocol === 'http:' && isHttps(request)) return false;
    const { host } = parsed;
    return (
      host === ownHost(request) ||
      (options.allowedOrigins ?? []).some((allowed) => allowed.toLowerCase() === host)
    );
  }
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin' || site === 'none';
  return true;
}

function parseOrigin(origin: string): { protocol: string; host: string } | undefined {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return { protocol: url.protocol, host: url.host.toLowerCase() };
  } catch {
    return undefined;
  }
}

// Only a known https request counts: behind a TLS-terminating proxy that sets
// no x-forwarded-proto the URL says http, and the check must not misfire then.
function isHttps(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return forwarded === 'https' || new URL(request.url).protocol === 'https:';
}

// The host the browser addressed: a reverse proxy's x-forwarded-host first,
// as Next's own Server Action check does, then Host, then the URL.
function ownHost(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  const host = forwarded || request.headers.get('host') || new URL(request.url).host;
  return host.toLowerCase();
}
