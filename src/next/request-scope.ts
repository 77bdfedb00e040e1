import { headers } from 'next/headers.js';
import type { SessionImpl } from '../session.ts';
import { currentTestRequest } from './test-request.ts';

/** @internal Per-request slot holding the current session. */
export interface RequestScope {
  current: Promise<SessionImpl> | undefined;
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
    const key: object = currentTestRequest() ?? (await headers());
    let scope = scopes.get(key);
    if (scope === undefined) {
      scope = { current: undefined };
      scopes.set(key, scope);
    }
    return scope;
  };
}
