import { SessionConfigError } from '../errors.ts';
import { hasControlCharacter } from './control-characters.ts';
import { matchSegments, parsePattern } from './path-pattern.ts';

/**
 * Which paths a guard protects: a list of patterns, or a predicate.
 *
 * Patterns follow Next's `matcher` syntax: `/settings/:path*` matches
 * `/settings` and everything below it, `:name` one segment, `:name+` one or
 * more. A plain path such as `/dashboard` matches that page *and everything
 * below it*, because leaving `/dashboard/secret` open by accident is the
 * worse failure. Patterns are matched segment by segment against the path
 * as the router resolves it (see {@link normalizePath}), in time linear in
 * the path's length, and a segment may hold any character.
 *
 * A predicate receives that same resolved path (`/%61dmin//x/../y` arrives
 * as `/admin/y`; an encoded slash stays `%2F` inside its segment), without
 * Next's `basePath`.
 *
 * Either way, a path that holds a control character once decoded (see
 * {@link hasControlCharacter}: C0, DEL, C1, U+2028, U+2029, invisible format
 * characters) is protected whatever the patterns or the predicate say: no
 * page has a reason to be reached that way, and a regex `.` does not match
 * some of them.
 *
 * @example
 * ```ts
 * const protect: ProtectOption = ['/dashboard', '/settings/:path*'];
 * const byPredicate: ProtectOption = (path) => path.startsWith('/admin');
 * ```
 */
export type ProtectOption = readonly string[] | ((pathname: string) => boolean);

/**
 * Compiles a {@link ProtectOption} into a predicate on a request's pathname
 * (`request.nextUrl.pathname`, still percent-encoded); throws a
 * `SessionConfigError` for a malformed pattern (called once, at creation).
 */
export function compileProtect(protect: ProtectOption): (pathname: string) => boolean {
  if (typeof protect === 'function') {
    return (pathname) => {
      const normalized = normalizePath(pathname);
      return hasControlCharacter(normalized) || Boolean(protect(normalized));
    };
  }
  if (!Array.isArray(protect))
    throw new SessionConfigError('`protect` must be an array of path patterns or a function.');
  const patterns = protect.map(parsePattern);
  return (pathname) => {
    const normalized = normalizePath(pathname);
    if (hasControlCharacter(normalized)) return true;
    const segments = normalized === '/' ? [] : normalized.slice(1).split('/');
    return patterns.some((tokens) => matchSegments(tokens, segments));
  };
}

// The dot segments of the URL standard, including percent-encoded dots.
const DOT = /^(?:\.|%2e)$/i;
const DOT_DOT = /^(?:\.|%2e){2}$/i;

/**
 * Resolves dot segments, percent-decodes and collapses `//` so `/%64ashboard`
 * or `/x/../dashboard` cannot slip past a pattern.
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
