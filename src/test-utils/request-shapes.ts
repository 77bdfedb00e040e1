/**
 * Requests as `proxy.ts` sees them under `next start` (Next 16.4, Chromium),
 * recorded by logging the headers in the demo's proxy: Next has already
 * removed `rsc`, `next-router-state-tree`, `next-router-prefetch`,
 * `next-router-segment-prefetch` and the `_rsc` query, so a router prefetch
 * and a client-side navigation arrive identical. `sec-ch-ua*` and
 * `user-agent` are left out.
 */
export interface RequestShape {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
}

const ORIGIN = 'http://app.test';

const sameOriginFetch = {
  'sec-fetch-dest': 'empty',
  'sec-fetch-mode': 'cors',
  'sec-fetch-site': 'same-origin',
};

/** Clicking a link to another page, or a reload (`sec-fetch-site: none` when typed). */
export const DOCUMENT: RequestShape = {
  method: 'GET',
  headers: {
    accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8',
    referer: `${ORIGIN}/login`,
    'sec-fetch-dest': 'document',
    'sec-fetch-mode': 'navigate',
    'sec-fetch-site': 'same-origin',
    'sec-fetch-user': '?1',
    'upgrade-insecure-requests': '1',
  },
};

/**
 * Next's router fetching a page: a `<Link>` prefetch, a client-side
 * navigation, a `router.refresh()`, all alike.
 */
export const ROUTER_FETCH: RequestShape = {
  method: 'GET',
  headers: { accept: '*/*', 'next-url': '/', referer: `${ORIGIN}/`, ...sameOriginFetch },
};

/** A router prefetch with `skipProxyUrlNormalize: true`, where Next leaves its headers in. */
export const ROUTER_PREFETCH_UNNORMALIZED: RequestShape = {
  method: 'GET',
  headers: {
    ...ROUTER_FETCH.headers,
    rsc: '1',
    'next-router-prefetch': '1',
    'next-router-state-tree': '%5B%22%22%2C%7B%7D%5D',
  },
};

/** A client-side navigation with `skipProxyUrlNormalize: true`. */
export const ROUTER_NAVIGATION_UNNORMALIZED: RequestShape = {
  method: 'GET',
  headers: { ...ROUTER_FETCH.headers, rsc: '1', 'next-router-state-tree': '%5B%22%22%2C%7B%7D%5D' },
};

/** Next rendering a Server Action's `redirect()` target itself, with the action's headers. */
export const ACTION_REDIRECT_RENDER: RequestShape = {
  method: 'GET',
  headers: {
    accept: 'text/x-component',
    origin: ORIGIN,
    referer: `${ORIGIN}/login`,
    ...sameOriginFetch,
    'x-action-redirect': '/;push',
    'x-action-revalidated': '1',
  },
};

/** A Server Action call. */
export const SERVER_ACTION: RequestShape = {
  method: 'POST',
  headers: {
    accept: 'text/x-component',
    'content-type': 'text/plain;charset=UTF-8',
    'next-action': '601c8035b15175dc6c6d87354a2d541968250a06ed',
    origin: ORIGIN,
    referer: `${ORIGIN}/`,
    ...sameOriginFetch,
  },
};

/** `fetch('/api/…')` from a client component. */
export const SCRIPT_FETCH: RequestShape = {
  method: 'GET',
  headers: { accept: '*/*', referer: `${ORIGIN}/`, ...sameOriginFetch },
};

/** `<link rel="prefetch">`. */
export const BROWSER_PREFETCH: RequestShape = {
  method: 'GET',
  headers: {
    accept: '*/*',
    purpose: 'prefetch',
    'sec-purpose': 'prefetch',
    'sec-fetch-dest': 'empty',
    'sec-fetch-mode': 'no-cors',
    'sec-fetch-site': 'same-origin',
  },
};

/** A Speculation Rules prefetch: a document request, made ahead of the click. */
export const SPECULATIVE_PREFETCH: RequestShape = {
  method: 'GET',
  headers: { ...DOCUMENT.headers, 'sec-purpose': 'prefetch' },
};

/** curl, a monitoring probe, a test: no Fetch Metadata. */
export const NO_FETCH_METADATA: RequestShape = {
  method: 'GET',
  headers: { accept: '*/*', 'user-agent': 'curl/8.14.1' },
};

/**
 * Next's router in a browser on plain http to a host other than localhost
 * (`http://app:3000` in a CI network): browsers send Fetch Metadata only to
 * secure origins.
 */
export const ROUTER_FETCH_INSECURE: RequestShape = {
  method: 'GET',
  headers: { accept: '*/*', 'next-url': '/', referer: 'http://app:3000/' },
};

/** A page load in that same browser. */
export const DOCUMENT_INSECURE: RequestShape = {
  method: 'GET',
  headers: { accept: DOCUMENT.headers.accept as string, referer: 'http://app:3000/login' },
};

/** Requests the guard may answer with a cookie: nothing else can overtake them. */
export const SETTLED: Readonly<Record<string, RequestShape>> = {
  DOCUMENT,
  DOCUMENT_INSECURE,
  SERVER_ACTION,
  NO_FETCH_METADATA,
};

/** Requests whose response can arrive after a newer cookie: the guard writes nothing there. */
export const RACING: Readonly<Record<string, RequestShape>> = {
  ROUTER_FETCH,
  ROUTER_PREFETCH_UNNORMALIZED,
  ROUTER_NAVIGATION_UNNORMALIZED,
  ROUTER_FETCH_INSECURE,
  ACTION_REDIRECT_RENDER,
  SCRIPT_FETCH,
  BROWSER_PREFETCH,
  SPECULATIVE_PREFETCH,
};
