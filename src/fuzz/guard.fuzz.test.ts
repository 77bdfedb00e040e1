// Hostile input to the guard helpers: the post-login `next` parameter, the
// request path matched against `protect`, and the Origin / Sec-Fetch-Site
// headers of state-changing requests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeNextPath } from '../guard/next-param.ts';
import { verifyOrigin } from '../guard/origin.ts';
import { compileProtect, normalizePath } from '../guard/paths.ts';
import { createFuzzer } from '../test-utils/fuzz.ts';
import { hostileString } from '../test-utils/hostile.ts';

const fuzz = createFuzzer('guard');
const APP = 'https://app.example';

// Pieces of open-redirect payloads: separators, dot segments, schemes,
// encodings (single, double, mixed case) and characters browsers ignore.
const REDIRECT_PIECES = [
  '/',
  '//',
  '///',
  '\\',
  '/\\',
  '.',
  '..',
  './',
  '../',
  '%2e',
  '%2E%2e',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%252f',
  '%25252F',
  '%09',
  '%0a',
  '%00',
  '\t',
  '\n',
  '\r',
  ' ',
  '\u00a0',
  '\u3002',
  '\uff0f',
  'evil.example',
  'app.example',
  '@',
  ':',
  'https:',
  'http:',
  'javascript:',
  'data:',
  '?',
  '#',
  '?next=//evil.example',
  '#//evil.example',
  '%',
  '%E0%A4%A',
  'a',
  'account',
];

function redirectPayload(): fc.Arbitrary<string> {
  const pieces = fc.array(fc.constantFrom(...REDIRECT_PIECES), { minLength: 1, maxLength: 10 });
  return fc.oneof(
    { weight: 4, arbitrary: pieces.map((parts) => `/${parts.join('')}`) },
    pieces.map((parts) => parts.join('')),
    hostileString(),
    fc.webPath(),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
    fc.webPath().map((path) => `/${path}`),
  );
}

describe('safeNextPath (fuzz)', () => {
  it('only ever returns the fallback or a same-origin relative path', async () => {
    await fuzz(redirectPayload(), (next) => {
      const out = safeNextPath(next, '/home');
      if (out === '/home') return;
      expect(out.startsWith('/')).toBe(true);
      expect(out.startsWith('//')).toBe(false);
      expect(out.startsWith('/\\')).toBe(false);
      expect(/^[a-z][a-z0-9+.-]*:/i.test(out)).toBe(false);
      const resolved = new URL(out, APP);
      expect(resolved.origin).toBe(APP);
      // Fed back (a login page passing it on again), it stays as it is.
      expect(safeNextPath(out, '/home')).toBe(out);
    });
  });

  it('never throws, whatever the type of `next`', async () => {
    await fuzz(fc.anything(), (next) => {
      expect(typeof safeNextPath(next, '/home')).toBe('string');
    });
  });
});

// Segment names a router can address (not "." or ".."; not empty), any
// characters, written with random percent-encoding as a client may send them.
const segmentName = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 6 }),
    fc.string({ unit: fc.constantFrom(...'./%\\?#;a-_~ é'), minLength: 1, maxLength: 6 }),
    fc.constantFrom('../', '..\\', '/..', '%2e%2e', '..%2F', './/', 'login', 'dashboard'),
  )
  .filter((name) => name !== '.' && name !== '..' && !/[\uD800-\uDFFF]/.test(name));

function encodeSegment(name: string, choices: readonly number[]): string {
  let out = '';
  let i = 0;
  for (const char of name) {
    const mustEncode = !/^[A-Za-z0-9\-_~!$&'()*+,;=:@]$/.test(char);
    const choice = choices[i++ % Math.max(1, choices.length)] ?? 0;
    if (!mustEncode && choice % 3 !== 0) {
      out += char;
      continue;
    }
    const bytes = new TextEncoder().encode(char);
    for (const byte of bytes) {
      const hex = byte.toString(16).padStart(2, '0');
      out += `%${choice % 2 === 0 ? hex.toUpperCase() : hex}`;
    }
  }
  // A raw "." or ".." would be a dot segment; encoding every dot keeps the name.
  return out === '.' || out === '..' ? out.replace(/\./g, '%2E') : out;
}

// Detours the URL parser removes again: "./", "x/../", and their encoded forms.
const detour = fc.constantFrom('.', '%2e', '%2E', 'x/..', 'x/%2e%2e', 'x/.%2E', 'x/%2E.', '', '/');

/** A raw path the router resolves to `segments`, with detours and random encoding. */
function rawPath(segments: fc.Arbitrary<string[]>): fc.Arbitrary<{ raw: string; segments: string[] }> {
  return segments.chain((names) =>
    fc
      .tuple(
        fc.array(fc.array(fc.nat(5), { maxLength: 6 }), { minLength: names.length, maxLength: names.length }),
        fc.array(fc.option(detour, { freq: 3 }), { minLength: names.length, maxLength: names.length }),
        fc.boolean(),
      )
      .map(([encodings, detours, trailing]) => {
        const parts: string[] = [];
        names.forEach((name, i) => {
          const extra = detours[i];
          if (extra !== null && extra !== undefined) parts.push(extra);
          parts.push(encodeSegment(name, encodings[i] ?? []));
        });
        return { raw: `/${parts.join('/')}${trailing ? '/' : ''}`, segments: names };
      }),
  );
}

// What Next's router sees: the URL parser resolves dot segments, then each
// segment is decoded.
function routedSegments(raw: string): string[] {
  return new URL(`http://h${raw}`).pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

describe('guard path matching (fuzz)', () => {
  const isProtected = compileProtect(['/dashboard', '/settings/:path*', '/u/:id', '/files/:rest+']);
  const below = (prefix: string[], min = 0) =>
    fc.array(segmentName, { minLength: min, maxLength: 4 }).map((rest) => [...prefix, ...rest]);
  const protectedPages = fc.oneof(
    below(['dashboard']),
    below(['settings']),
    segmentName.chain((id) => below(['u', id])),
    below(['files'], 1),
  );

  it('protects every spelling of a protected page (encodings, dot segments, encoded slashes)', async () => {
    await fuzz(rawPath(protectedPages), ({ raw, segments }) => {
      expect(routedSegments(raw)).toEqual(segments);
      expect(isProtected(raw)).toBe(true);
    });
  });

  it('leaves every spelling of a public page alone', async () => {
    const publicPages = fc.constantFrom('public', 'login', 'dashboardx').chain((first) => below([first]));
    await fuzz(rawPath(publicPages), ({ raw, segments }) => {
      expect(routedSegments(raw)).toEqual(segments);
      expect(isProtected(raw)).toBe(false);
    });
  });

  it('never throws on arbitrary paths and always yields an absolute path', async () => {
    await fuzz(fc.oneof(hostileString(), redirectPayload()), (path) => {
      const normalized = normalizePath(path);
      expect(normalized.startsWith('/')).toBe(true);
      expect(typeof isProtected(path)).toBe('boolean');
    });
  });
});

const ORIGIN_SCHEMES = [
  'https://',
  'http://',
  'HTTPS://',
  'ftp://',
  'ws://',
  'javascript:',
  '',
  '//',
  'null',
];
const ORIGIN_USERINFO = ['', 'app.example@', 'user:pass@', 'app.example%40'];
const ORIGIN_HOSTS = [
  'app.example',
  'APP.Example',
  'evil.example',
  'app.example.evil.example',
  'evil.app.example',
  'app.example.',
  'app-example',
  'app.examp1e',
  'xn--pp-example',
  '127.0.0.1',
  '[::1]',
  'app%2eexample',
  'app.example%00',
  'ａpp.example',
];
const ORIGIN_SUFFIXES = [
  '',
  '/',
  ':443',
  ':80',
  ':3000',
  '/app.example',
  '?app.example',
  '#app.example',
  '\\@evil.example',
];

const attackerOrigin = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...ORIGIN_SCHEMES),
        fc.constantFrom(...ORIGIN_USERINFO),
        fc.constantFrom(...ORIGIN_HOSTS),
        fc.constantFrom(...ORIGIN_SUFFIXES),
      )
      .map((parts) => parts.join('')),
  },
  hostileString(),
  fc.webUrl(),
);

interface OriginCase {
  method: string;
  origin: string | null;
  site: string | null;
  host: string;
  forwarded: string | null;
  scheme: 'http' | 'https';
  proto: string | null;
}

function buildRequest(c: OriginCase): Request | undefined {
  const headers: Record<string, string> = { host: c.host };
  if (c.origin !== null) headers.origin = c.origin;
  if (c.site !== null) headers['sec-fetch-site'] = c.site;
  if (c.forwarded !== null) headers['x-forwarded-host'] = c.forwarded;
  if (c.proto !== null) headers['x-forwarded-proto'] = c.proto;
  try {
    return new Request(`${c.scheme}://${c.host}/api/transfer`, { method: c.method, headers });
  } catch {
    return undefined; // a header value no HTTP client could send
  }
}

const originCases = fc
  .record({
    method: fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE', 'post', 'GET', 'HEAD', 'OPTIONS', 'get'),
    origin: fc.option(attackerOrigin, { freq: 6 }),
    site: fc.option(
      fc.oneof(
        fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none', 'Same-Origin'),
        hostileString(12),
      ),
      {
        freq: 2,
      },
    ),
    host: fc.constantFrom('app.example', 'APP.example', 'app.example:3000'),
    forwarded: fc.option(
      fc.constantFrom('app.example', 'app.example, proxy.internal', ' APP.example ', 'evil.example'),
      {
        freq: 3,
      },
    ),
    scheme: fc.constantFrom('http' as const, 'https' as const),
    proto: fc.option(fc.constantFrom('https', 'http', 'HTTPS', 'https, http', 'http, https'), { freq: 2 }),
  })
  .filter((c) => buildRequest(c) !== undefined);

describe('verifyOrigin (fuzz)', () => {
  it('accepts a state-changing request only from this host, an allowed one, or a non-browser client', async () => {
    await fuzz(originCases, (c) => {
      const request = buildRequest(c) as Request;
      const allowed = verifyOrigin(request, { allowedOrigins: ['Admin.Example'] });
      if (['GET', 'HEAD', 'OPTIONS'].includes(c.method.toUpperCase())) {
        expect(allowed).toBe(true);
        return;
      }
      const origin = request.headers.get('origin');
      const site = request.headers.get('sec-fetch-site');
      if (origin === null) {
        expect(allowed).toBe(site === null || site === 'same-origin' || site === 'none');
        return;
      }
      if (!allowed) return;
      // The browser-visible origin must name this host (or the allowed one).
      const url = new URL(origin);
      expect(['http:', 'https:']).toContain(url.protocol);
      const own = (request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || c.host).toLowerCase();
      expect([own, 'admin.example']).toContain(url.host);
      // A plain-http page must not act on a request known to be https.
      const proto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
      if (proto === 'https' || c.scheme === 'https') expect(url.protocol).toBe('https:');
    });
  });
});
