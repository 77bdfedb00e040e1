import { headers } from 'next/headers.js';
import { SessionConfigError } from '../errors.ts';
import type { SessionImpl } from '../session.ts';
import { type RequestFacts, requestFactsOf } from './context.ts';
import { currentTestRequest } from './test-request.ts';

/** @internal Per-request slot holding the current session. */
export interface RequestScope {
  current: Promise<SessionImpl> | undefined;
  /** What loads and saves need of the request's headers, read once per request. */
  readonly facts: RequestFacts;
}

/**
 * Creates a per-request slot getter, so every `getSession()` in a request
 * sees the same object and `newSession()` can replace it for the rest of the
 * request.
 *
 * React's `cache()` is not enough: it memoizes only while React renders, and
 * in Route Handlers it calls straight through. Next keeps one headers object
 * per request in every context (render, Server Action, Route Handler), so the
 * slot is keyed on that object and dies with the request.
 */
export function createRequestScope(): () => Promise<RequestScope> {
  const scopes = new WeakMap<object, RequestScope>();
  return async () => {
    const test = currentTestRequest();
    const requestHeaders = test?.headers ?? (await nextHeaders());
    const key: object = test ?? requestHeaders;
    let scope = scopes.get(key);
    if (scope === undefined) {
      scope = { current: undefined, facts: requestFactsOf(requestHeaders) };
      scopes.set(key, scope);
    }
    return scope;
  };
}

/**
 * `headers()`, with Next's "called outside a request scope" turned into a
 * message that names the way in for where that happens most: the Pages
 * Router's getServerSideProps and API routes, which have no App Router
 * request. Any other failure (or a reworded one) is Next's own.
 */
async function nextHeaders(): Promise<Pick<Headers, 'get' | 'has'>> {
  try {
    return await headers();
  } catch (error) {
    if (error instanceof Error && /outside a request scope/.test(error.message)) {
      throw new SessionConfigError(
        'getSession(), newSession(), destroySession() and hasSession() read the App Router request (a server ' +
          'component, Server Action or Route Handler), and there is none here. In getServerSideProps and API ' +
          'routes (the Pages Router), use pages(req, res) from the same kit: pages(req, res).getSession().',
      );
    }
    throw error;
  }
}
