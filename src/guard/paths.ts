import { SessionConfigError } from '../errors.ts';

/**
 * Which paths a guard protects: a list of patterns, or a predicate.
 *
 * Patterns follow Next's `matcher` syntax: `/settings/:path*` matches
 * `/settings` and everything below it, `:name` one segment, `:name+` one or
 * more. A plain path such as `/dashboard` matches that page *and everything
 * below it*, because leaving `/dashboard/secret` open by accident is the
 * worse failure.
 *
 * @example
 * ```ts
 * const protect: ProtectOption = ['/dashboard', '/settings/:path*'];
 * ```
 */
export type ProtectOption = readonly string[] | ((pathname: string) => boolean);

/**
 * Compiles a {@link ProtectOption} into a predicate; throws a `SessionConfigError` for
 * a malformed pattern (called once, at creation).
 *
 * @example
 * ```ts
 * const isProtected = compileProtect(['/dashboard']);
 * isProtected('/dashboard/settings'); // true
 * ```
 */
export function compileProtect(protect: ProtectOption): (pathname: string) => boolean {
  if (typeof protect === 'function') return protect;
  if (!Array.isArray(protect))
    throw new SessionConfigError('`protect` must be an array of path patterns or a function.');
  const patterns = protect.map(compilePattern);
  return (pathname) => {
    const normalized = normalizePath(pathname);
    return patterns.some((re) => re.test(normalized));
  };
}

function compilePattern(pattern: unknown): RegExp {
  if (typeof pattern !== 'string' || !pattern.startsWith('/') || /[\s?#\\]/.test(pattern)) {
    throw new SessionConfigError(
      'Each `protect` pattern must be a path starting with "/", e.g. "/dashboard/:path*".',
    );
  }
  const segments = pattern.split('/').filter((s) => s !== '');
  let source = '^';
  let open = true;
  for (const segment of segments) {
    const param = /^:[A-Za-z_][A-Za-z0-9_]*([*+]?)$/.exec(segment);
    if (param === null) {
      if (segment.includes(':') || segment.includes('*')) {
        throw new SessionConfigError(
          `Unsupported pattern segment in "${pattern}": use ":name", ":name*" or ":name+".`,
        );
      }
      source += `/${escapeRegExp(segment)}`;
      continue;
    }
    const modifier = param[1];
    if (modifier === '*') {
      source += '(?:/[^/]+)*';
      open = false;
    } else if (modifier === '+') {
      source += '(?:/[^/]+)+';
      open = false;
    } else {
      source += '/[^/]+';
    }
  }
  // A plain path also covers its sub-paths (see ProtectOption).
  source += open ? '(?:/.*)?/?$' : '/?$';
  return new RegExp(source);
}

// The dot segments of the URL standard, including percent-encoded dots.
const DOT = /^(?:\.|%2e)$/i;
const DOT_DOT = /^(?:\.|%2e){2}$/i;

/**
 * Resolves dot segments, percent-decodes and collapses `//` so `/%64ashboard`
 * or `/x/../dashboard` cannot slip past a pattern.
 *
 * @example
 * ```ts
 * normalizePath('/%64ashboard//x/../y'); // '/dashboard/y'
 * ```
 */
export function normalizePath(pathname: string): string {
  // Segments are split and dot segments resolved before decoding, as the URL
  // parser and Next's router do: "/dashboard/..%2F" is a page below
  // /dashboard, and "%2F" never separates segments.
  const resolved: string[] = [];
  for (const segment of pathname.split(/[/\\]/)) {
    if (DOT_DOT.test(segment)) resolved.pop();
    else if (!DOT.test(segment)) resolved.push(segment);
  }
  const out: string[] = [];
  for (const segment of resolved) if (segment !== '') out.push(decodeSegment(segment));
  return `/${out.join('/')}`;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment).replaceAll('/', '%2F');
  } catch {
    // Malformed escapes: match on the raw text (Next would 400 anyway).
    return segment;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
