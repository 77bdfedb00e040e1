// Hostile input to the guard helpers: the post-login `next` parameter, the
// request path matched against `protect` (as Next hands it to proxy.ts), and
// the Origin / Sec-Fetch-Site headers of state-changing requests.
import fc from 'fast-check';
import { NextRequest } from 'next/server.js';
import { describe, expect, it } from 'vitest';
import { hasControlCharacter } from '../guard/control-characters.ts';
import { safeNextPath } from '../guard/next-param.ts';
import { verifyOrigin } from '../guard/origin.ts';
import { matchSegments, parsePattern, type StepMeter } from '../guard/path-pattern.ts';
import { compileProtect, normalizePath } from '../guard/paths.ts';
import { createSessionKit } from '../next/kit.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { createFuzzer } from '../test-utils/fuzz.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { codePointString, hostileString } from '../test-utils/hostile.ts';

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

// Characters a regex "." does not match (LF, CR, U+2028, U+2029), every other
// C0/C1 control and DEL, and invisible format characters: what the guard
// treats as protected wherever they appear (see hasControlCharacter).
const controlCharacter = fc
  .oneof(
    { weight: 3, arbitrary: fc.constantFrom(0x0a, 0x0d, 0x2028, 0x2029) },
    fc.integer({ min: 0, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(0x00ad, 0x061c, 0x200b, 0x200e, 0x200f, 0x202a, 0x202e, 0x2060, 0x2066, 0x2069, 0xfeff),
  )
  .map((code) => String.fromCodePoint(code));

/** A segment name with a control character somewhere in it. */
const segmentWithControl = fc
  .tuple(fc.string({ maxLength: 3 }), controlCharacter, codePointString(3))
  .map(([before, control, after]) => `${before}${control}${after}`.replace(/[\uD800-\uDFFF/\\]/g, 'x'));

/** Segments below `prefix`, one of which (at least) holds a control character. */
function withControl(prefix: string[]): fc.Arbitrary<string[]> {
  return fc
    .tuple(
      fc.array(segmentName, { maxLength: 3 }),
      segmentWithControl,
      fc.array(fc.oneof(segmentName, segmentWithControl), { maxLength: 3 }),
    )
    .map(([before, odd, after]) => [...prefix, ...before, odd, ...after]);
}

const BASE = 'https://app.example';

/**
 * What proxy.ts sees: a NextRequest for the encoded request target (as sent
 * on the wire after the host, so "//x" is a path), its nextUrl.pathname.
 */
function nextRequest(raw: string, basePath: string): NextRequest {
  const nextConfig = basePath === '' ? {} : { nextConfig: { basePath } };
  return new NextRequest(`${BASE}${basePath}${raw}`, nextConfig);
}

// Segments with any code point; separators, dots and surrogates left out so
// the routed segments are exactly these.
const anySegment = codePointString(6)
  .map((name) => name.replace(/[\uD800-\uDFFF/\\]/g, 'x'))
  .filter((name) => name !== '' && name !== '.' && name !== '..');

describe('guard path matching: control characters, as Next decodes them (fuzz)', () => {
  const lists = {
    plain: compileProtect(['/dashboard', '/api/private', '/settings']),
    params: compileProtect(['/settings/:path*', '/u/:id', '/files/:rest+', '/api/private/:id*']),
    everything: compileProtect(['/']),
  };
  const predicates = {
    // Predicates written with the regexes an app would write, "." and "$" included.
    naiveRegex: compileProtect((path) => /^\/(?:dashboard|settings|api\/private)(?:\/.*)?$/.test(path)),
    startsWith: compileProtect((path) => path.startsWith('/dashboard/') || path.startsWith('/settings/')),
    nothing: compileProtect(() => false),
  };
  const basePath = fc.constantFrom('', '', '/shop');

  it('protects every percent-encoded spelling of a path holding a control character, lists and predicates alike', async () => {
    const pages = fc.oneof(
      withControl(['dashboard']),
      withControl(['settings']),
      segmentName.chain((id) => withControl(['u', id])),
      withControl(['files']),
      withControl(['api', 'private']),
      withControl(['public']),
      withControl([]),
    );
    await fuzz(fc.tuple(rawPath(pages), basePath), ([{ raw, segments }, base]) => {
      const { pathname } = nextRequest(raw, base).nextUrl;
      expect(routedSegments(pathname)).toEqual(segments);
      expect(hasControlCharacter(normalizePath(pathname))).toBe(true);
      for (const isProtected of [...Object.values(lists), ...Object.values(predicates)]) {
        expect(isProtected(pathname)).toBe(true);
      }
    });
  });

  it('protected pages stay protected with any code point in their segments', async () => {
    const pages = fc.oneof(
      fc.array(anySegment, { maxLength: 4 }).map((rest) => ['dashboard', ...rest]),
      fc.array(anySegment, { maxLength: 4 }).map((rest) => ['settings', ...rest]),
      fc.tuple(anySegment, fc.array(anySegment, { maxLength: 3 })).map(([id, rest]) => ['u', id, ...rest]),
      fc.array(anySegment, { minLength: 1, maxLength: 4 }).map((rest) => ['files', ...rest]),
    );
    await fuzz(fc.tuple(rawPath(pages), basePath), ([{ raw, segments }, base]) => {
      const { pathname } = nextRequest(raw, base).nextUrl;
      expect(routedSegments(pathname)).toEqual(segments);
      expect(lists.params(pathname) || segments[0] === 'dashboard').toBe(true);
      expect(lists.everything(pathname)).toBe(true);
      if (segments[0] === 'dashboard' || segments[0] === 'settings') {
        expect(lists.plain(pathname)).toBe(true);
        expect(predicates.naiveRegex(pathname)).toBe(true);
      }
    });
  });

  it('guard() answers 307 to the login page (or 401 under /api) for such paths, basePath kept', async () => {
    const kit = createSessionKit({
      storage: encryptedCookieStorage({ secret: 'guard-fuzz-secret-that-is-long-enough-01' }),
    });
    const proxies = [
      kit.guard({ protect: ['/dashboard', '/api/private'], loginPath: '/login' }),
      kit.guard({ protect: ['/settings/:path*', '/api/private/:id*'], loginPath: '/login' }),
      kit.guard({ protect: (path) => /^\/dashboard(?:\/.*)?$/.test(path), loginPath: '/login' }),
    ];
    const pages = fc.oneof(
      withControl(['dashboard']),
      withControl(['api', 'private']),
      withControl(['public']),
      withControl(['api']),
    );
    const cases = fc.tuple(rawPath(pages), basePath, fc.constantFrom(...proxies.keys()));
    await fuzz(
      cases,
      async ([{ raw, segments }, base, which]) => {
        const request = nextRequest(raw, base);
        const res = await (proxies[which] as (typeof proxies)[number])(request);
        if (segments[0] === 'api') {
          expect(res.status).toBe(401);
          return;
        }
        expect(res.status).toBe(307);
        const location = new URL(res.headers.get('location') ?? '');
        expect(location.origin).toBe(BASE);
        expect(location.pathname).toBe(`${base}/login`);
        expect(location.searchParams.get('next')).toBe(request.nextUrl.pathname);
      },
      { weight: 0.5 },
    );
  });
});

describe('guard({ fresh }): the same path matching (fuzz)', () => {
  it('sends a stale sign-in on every spelling of a fresh-only page (and any path with a control character) to reauthPath', async () => {
    const clock = new Clock(Date.now());
    const storage = encryptedCookieStorage({ secret: 'guard-fuzz-secret-that-is-long-enough-01' });
    const kit = createSessionKit({ storage, now: clock.now });
    const proxy = kit.guard({
      protect: [],
      loginPath: '/login',
      fresh: { protect: ['/settings', '/u/:id'], maxAge: 60, reauthPath: '/reauth' },
    });
    const h = new Harness({ storage }, clock);
    const browser = new TestBrowser();
    // Over https, as BASE is: the cookie is __Host-session.
    await h.request(
      browser,
      async (_s, { newSession }) => {
        await newSession('ada').save();
      },
      true,
    );
    const cookie = browser.cookies.get('__Host-session') ?? '';
    expect(cookie).not.toBe('');
    clock.advance(61);
    const below = (prefix: string[]) =>
      fc.array(segmentName, { maxLength: 4 }).map((rest) => [...prefix, ...rest]);
    const pages = fc.oneof(
      below(['settings']),
      segmentName.chain((id) => below(['u', id])),
      withControl(['public']),
    );
    await fuzz(
      fc.tuple(rawPath(pages), fc.constantFrom('', '', '/shop')),
      async ([{ raw }, base]) => {
        const request = nextRequest(raw, base);
        request.cookies.set('__Host-session', cookie);
        const res = await proxy(request);
        expect(res.status).toBe(307);
        const location = new URL(res.headers.get('location') ?? '');
        expect(location.origin).toBe(BASE);
        expect(location.pathname).toBe(`${base}/reauth`);
        expect(location.searchParams.get('next')).toBe(request.nextUrl.pathname);
      },
      { weight: 0.5 },
    );
  });
});

// The regex each pattern compiled to before segment matching, with the `s`
// flag so that "." matches every character: the reference semantics.
function referenceRegex(pattern: string): RegExp {
  let source = '^';
  let open = true;
  for (const segment of pattern.split('/').filter((s) => s !== '')) {
    const param = /^:[A-Za-z_][A-Za-z0-9_]*([*+]?)$/.exec(segment);
    if (param === null) source += `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    else if (param[1] === '*') [source, open] = [`${source}(?:/[^/]+)*`, false];
    else if (param[1] === '+') [source, open] = [`${source}(?:/[^/]+)+`, false];
    else source += '/[^/]+';
  }
  return new RegExp(`${source}${open ? '(?:/.*)?/?$' : '/?$'}`, 's');
}

// Independent of matchSegments: does token j onwards match segments i onwards,
// filled in from the end (the automaton runs from the start).
function referenceMatch(pattern: string, segments: readonly string[]): boolean {
  const tokens = parsePattern(pattern);
  let after = segments.map(() => false).concat(true); // tokens exhausted
  for (let j = tokens.length - 1; j >= 0; j--) {
    const token = tokens[j];
    const here = new Array<boolean>(segments.length + 1).fill(false);
    for (let i = segments.length; i >= 0; i--) {
      const fits = i < segments.length && (token?.kind !== 'literal' || token.text === segments[i]);
      if (token?.kind === 'any') here[i] = after[i] === true || (fits && here[i + 1] === true);
      else here[i] = fits && after[i + 1] === true;
    }
    after = here;
  }
  return after[0] === true;
}

const LITERALS = ['a', 'b', 'admin', 'x.y', '$', '(', 'é'];
const patternSegment = fc.oneof(
  fc.constantFrom(...LITERALS),
  fc.constantFrom(':p', ':p*', ':p+', ':q', ':q*', ':q+'),
);
const randomPattern = fc
  .tuple(fc.array(patternSegment, { maxLength: 6 }), fc.boolean())
  .map(([segments, slash]) => `/${segments.join('/')}${slash && segments.length > 0 ? '/' : ''}`);

describe('segment matching against the regex semantics (fuzz)', () => {
  const pathSegment = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...LITERALS) },
    anySegment,
    segmentWithControl,
  );

  it('agrees with the old patterns (made to match any character) on short paths', async () => {
    await fuzz(
      fc.tuple(
        fc.array(randomPattern, { minLength: 1, maxLength: 3 }),
        fc.array(pathSegment, { maxLength: 8 }),
      ),
      ([patterns, segments]) => {
        const path = `/${segments.join('/')}`;
        const expected = patterns.some((pattern) => referenceRegex(pattern).test(path));
        for (const pattern of patterns) {
          expect(matchSegments(parsePattern(pattern), segments)).toBe(referenceRegex(pattern).test(path));
        }
        // The compiled list: the same, except that a control character always protects.
        const raw = `/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
        expect(compileProtect(patterns)(raw)).toBe(expected || hasControlCharacter(path));
      },
    );
  });

  it('answers adversarial long paths in linear steps, as a backward DP does', async () => {
    const adversarial = fc.tuple(
      fc.array(fc.oneof(fc.constantFrom(':a*', ':b+', ':c'), fc.constantFrom('a', 'b', 'admin')), {
        minLength: 1,
        maxLength: 8,
      }),
      fc.integer({ min: 500, max: 4000 }),
      fc.constantFrom<string>('a', 'b', 'x'),
      fc.constantFrom<string>('admin', 'x', 'a', ''),
    );
    await fuzz(
      adversarial,
      ([parts, count, filler, last]) => {
        const pattern = `/${parts.join('/')}`;
        const segments = Array.from({ length: count }, (_, i) => (i % 7 === 3 ? 'b' : filler));
        if (last !== '') segments.push(last);
        const tokens = parsePattern(pattern);
        const meter: StepMeter = { steps: 0 };
        expect(matchSegments(tokens, segments, meter)).toBe(referenceMatch(pattern, segments));
        expect(meter.steps).toBeLessThanOrEqual(2 * tokens.length * (segments.length + 1));
        // Through the whole predicate too: one path of 1,000 to 16,000 characters.
        const path = `/${segments.join('/')}`;
        expect(compileProtect([pattern])(path)).toBe(referenceMatch(pattern, segments));
      },
      { weight: 0.1 },
    );
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
