/**
 * Returns `next` when it is a same-origin relative path (`/account?tab=1`),
 * else `fallback`. Refuses absolute and protocol-relative URLs, backslashes,
 * control characters and their percent-encoded forms: no open redirects.
 *
 * @example
 * ```ts
 * // app/login/actions.ts
 * redirect(safeNextPath(formData.get('next'), '/'));
 * safeNextPath('//evil.example', '/'); // '/'
 * ```
 */
export function safeNextPath(next: unknown, fallback = '/'): string {
  const path = sameOriginPath(next);
  // Dot segments can collapse into a protocol-relative "//host"
  // ("/a/..//evil.example"), so the result must pass the same checks again.
  return path !== undefined && sameOriginPath(path) === path ? path : fallback;
}

function sameOriginPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length === 0 || next.length > 2048) return undefined;
  if (!next.startsWith('/') || next.startsWith('//')) return undefined;
  // Browsers treat "\" like "/" and ignore tabs/newlines inside URLs, so
  // "/\evil.example" and "/\t/evil.example" are protocol-relative in disguise.
  if (hasUnsafeCharacter(next)) return undefined;
  let decoded = next;
  for (let i = 0; i < 3; i++) {
    let step: string;
    try {
      step = decodeURIComponent(decoded);
    } catch {
      return undefined;
    }
    if (step === decoded) break;
    decoded = step;
    if (decoded.startsWith('//') || hasUnsafeCharacter(decoded)) return undefined;
  }
  try {
    const base = 'http://same-origin.invalid';
    const url = new URL(next, base);
    if (url.origin !== base) return undefined;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return undefined;
  }
}

// Backslash, C0 controls and DEL.
function hasUnsafeCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c || code <= 0x1f || code === 0x7f) return true;
  }
  return false;
}
