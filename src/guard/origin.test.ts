import { describe, expect, it } from 'vitest';
import { verifyOrigin } from './origin.ts';

function request(
  method: string,
  headers: Record<string, string>,
  url = 'https://app.example.com/api/x',
): Request {
  return new Request(url, { method, headers });
}

describe('verifyOrigin (CSRF)', () => {
  it('lets safe methods through', () => {
    for (const m of ['GET', 'HEAD', 'OPTIONS']) {
      expect(
        verifyOrigin(request(m, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })),
      ).toBe(true);
    }
  });

  it.each([
    [{ origin: 'https://app.example.com' }, true],
    [{ origin: 'https://APP.example.com' }, true],
    [{ origin: 'https://evil.example' }, false],
    [{ origin: 'https://app.example.com.evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ origin: 'garbage' }, false],
    [{ origin: 'file://' }, false],
    [{ 'sec-fetch-site': 'same-origin' }, true],
    [{ 'sec-fetch-site': 'none' }, true],
    [{ 'sec-fetch-site': 'same-site' }, false],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, false],
    [{}, true],
  ])('POST with %j → %s', (headers, expected) => {
    expect(verifyOrigin(request('POST', headers))).toBe(expected);
  });

  it('uses x-forwarded-host and Host before the URL', () => {
    const behindProxy = request(
      'POST',
      { origin: 'https://public.example', 'x-forwarded-host': 'public.example', host: 'internal:3000' },
      'http://internal:3000/api/x',
    );
    expect(verifyOrigin(behindProxy)).toBe(true);
    const local = request(
      'DELETE',
      { origin: 'http://localhost:3000', host: 'localhost:3000' },
      'http://localhost:3000/api/x',
    );
    expect(verifyOrigin(local)).toBe(true);
  });

  it('refuses a plain-http origin on an https request, even from the same host', () => {
    expect(verifyOrigin(request('POST', { origin: 'http://app.example.com' }))).toBe(false);
    const tlsProxy = request(
      'POST',
      { origin: 'http://public.example', 'x-forwarded-host': 'public.example', 'x-forwarded-proto': 'https' },
      'http://internal:3000/api/x',
    );
    expect(verifyOrigin(tlsProxy)).toBe(false);
    // A proxy that terminates TLS without saying so: the URL says http, so the scheme is not judged.
    const silentProxy = request(
      'POST',
      { origin: 'https://public.example', 'x-forwarded-host': 'public.example' },
      'http://internal:3000/api/x',
    );
    expect(verifyOrigin(silentProxy)).toBe(true);
  });

  it('accepts configured extra hosts', () => {
    const r = request('PUT', { origin: 'https://admin.example.com' });
    expect(verifyOrigin(r)).toBe(false);
    expect(verifyOrigin(r, { allowedOrigins: ['admin.example.com'] })).toBe(true);
  });
});
