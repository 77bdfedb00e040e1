/**
 * What a request is, as far as `proxy.ts` can tell:
 *
 * - `document`: the browser loads a page (`Sec-Fetch-Mode: navigate`), a
 *   form posted without JavaScript included;
 * - `action`: a Server Action call (`POST` with `Next-Action`);
 * - `prefetch`: the browser's own prefetch (`Sec-Purpose`, `Purpose`,
 *   `X-Moz`, `X-Purpose`), or Next's router prefetch where the proxy can see
 *   its headers (`skipProxyUrlNormalize`);
 * - `fetch`: anything else a page's scripts or markup ask for. Next's router
 *   fetches (navigations and prefetches alike: Next removes the headers that
 *   would tell them apart before the proxy runs), `fetch()` calls to Route
 *   Handlers, images;
 * - `other`: a client that sends no Fetch Metadata and does not look like a
 *   browser's script: curl, a test, a monitoring probe.
 */
export type RequestKind = 'document' | 'action' | 'prefetch' | 'fetch' | 'other';

/**
 * Classifies a request by its headers ({@link RequestKind}).
 */
export function requestKind(request: Request): RequestKind {
  const { headers } = request;
  if (isPrefetch(headers)) return 'prefetch';
  if (request.method === 'POST' && headers.has('next-action')) return 'action';
  const mode = headers.get('sec-fetch-mode');
  const dest = headers.get('sec-fetch-dest');
  if (mode !== null || dest !== null || headers.has('sec-fetch-site')) {
    return mode?.toLowerCase() === 'navigate' || dest?.toLowerCase() === 'document' ? 'document' : 'fetch';
  }
  // No Fetch Metadata: an old browser, a browser on plain http to a host
  // other than localhost (it sends them only to secure origins), or not a
  // browser at all.
  const accept = headers.get('accept') ?? '';
  if (headers.has('rsc') || headers.has('next-url') || /text\/x-component/i.test(accept)) return 'fetch';
  if (/text\/html/i.test(accept)) return 'document';
  // A referring page but no interest in HTML: a script's or an image's request.
  if (headers.has('referer')) return 'fetch';
  return 'other';
}

/**
 * Whether the proxy may write the session cookie in its response to this
 * request: only where that response cannot land after a newer cookie the
 * browser got meanwhile. A page load and a Server Action are the user's own
 * requests, one at a time per tab; Next's router fetches and every prefetch
 * run alongside them (a prefetch sent with the cookie from before a login can
 * come back after the login's response), so a cookie written there could
 * undo a login, a logout or a save.
 */
export function maySetSessionCookie(request: Request): boolean {
  const kind = requestKind(request);
  return kind === 'document' || kind === 'action' || kind === 'other';
}

function isPrefetch(headers: Headers): boolean {
  return (
    headers.has('next-router-prefetch') ||
    headers.has('next-router-segment-prefetch') ||
    /prefetch|prerender/i.test(headers.get('sec-purpose') ?? '') ||
    /prefetch/i.test(headers.get('purpose') ?? '') ||
    /prefetch/i.test(headers.get('x-moz') ?? '') ||
    /preview/i.test(headers.get('x-purpose') ?? '')
  );
}
