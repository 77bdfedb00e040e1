import { describe, expect, it } from 'vitest';
import * as shapes from '../test-utils/request-shapes.ts';
import { maySetSessionCookie, type RequestKind, requestKind } from './request-kind.ts';

function request(shape: shapes.RequestShape): Request {
  return new Request('http://app.test/dashboard', { method: shape.method, headers: shape.headers });
}

describe('requestKind()', () => {
  it('tells the requests a proxy sees apart as far as their headers allow', () => {
    const expected: Record<string, RequestKind> = {
      DOCUMENT: 'document',
      DOCUMENT_INSECURE: 'document',
      SERVER_ACTION: 'action',
      NO_FETCH_METADATA: 'other',
      ROUTER_FETCH: 'fetch',
      ROUTER_FETCH_INSECURE: 'fetch',
      ROUTER_NAVIGATION_UNNORMALIZED: 'fetch',
      ROUTER_PREFETCH_UNNORMALIZED: 'prefetch',
      ACTION_REDIRECT_RENDER: 'fetch',
      SCRIPT_FETCH: 'fetch',
      BROWSER_PREFETCH: 'prefetch',
      SPECULATIVE_PREFETCH: 'prefetch',
    };
    for (const [name, kind] of Object.entries(expected)) {
      const shape = (shapes as unknown as Record<string, shapes.RequestShape>)[name];
      if (shape === undefined) throw new Error(`no shape ${name}`);
      expect(requestKind(request(shape)), name).toBe(kind);
    }
  });

  it('lets only requests that nothing can overtake set the session cookie', () => {
    for (const [name, shape] of Object.entries(shapes.SETTLED)) {
      expect(maySetSessionCookie(request(shape)), name).toBe(true);
    }
    for (const [name, shape] of Object.entries(shapes.RACING)) {
      expect(maySetSessionCookie(request(shape)), name).toBe(false);
    }
  });

  it('reads header values case-insensitively and needs POST for a Server Action', () => {
    const navigate = new Request('http://app.test/', { headers: { 'Sec-Fetch-Mode': 'Navigate' } });
    expect(requestKind(navigate)).toBe('document');
    const notAnAction = new Request('http://app.test/', {
      headers: { ...shapes.SCRIPT_FETCH.headers, 'next-action': 'x' },
    });
    expect(requestKind(notAnAction)).toBe('fetch');
    // Each marks a prefetch even on a request otherwise shaped like a page load.
    const markers: Array<Record<string, string>> = [
      { purpose: 'prefetch' },
      { 'sec-purpose': 'prefetch' },
      { 'x-moz': 'prefetch' },
      { 'x-purpose': 'preview' },
      { 'sec-purpose': 'prefetch;prerender' },
      { 'next-router-segment-prefetch': '/_tree' },
    ];
    for (const marker of markers) {
      const headers = { ...shapes.DOCUMENT.headers, ...marker };
      expect(requestKind(new Request('http://app.test/', { headers })), JSON.stringify(marker)).toBe(
        'prefetch',
      );
    }
  });
});
