import type { NextRequest, NextResponse } from 'next/server.js';

/**
 * What the render of a request the proxy passed on receives, as Next builds
 * it: the forwarded request headers when the proxy overrode them, the
 * original ones otherwise.
 */
export function renderOf(response: NextResponse, original: NextRequest) {
  const override = response.headers.get('x-middleware-override-headers');
  const headers = new Headers();
  if (override === null) for (const [k, v] of original.headers) headers.set(k, v);
  else {
    for (const key of override.split(',')) {
      const value = response.headers.get(`x-middleware-request-${key.trim()}`);
      if (value !== null) headers.set(key.trim(), value);
    }
  }
  const cookies: Record<string, string> = {};
  for (const part of (headers.get('cookie') ?? '').split(/;\s*/)) {
    const at = part.indexOf('=');
    if (at > 0) cookies[part.slice(0, at)] = decodeURIComponent(part.slice(at + 1));
  }
  headers.delete('cookie');
  return { headers, cookies };
}
