/**
 * The cookie jar of one load-test client: what a browser keeps for one host and `Path=/`. Chunked session
 * cookies (`session.0 … session.N`) are plain cookies to it; deletions (`Max-Age=0` or a past `Expires`)
 * remove them. `Secure` is ignored, as browsers do for http://localhost, because `next start` runs in
 * production mode and marks every cookie Secure.
 */
export class CookieJar {
  private readonly cookies = new Map<string, string>();

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Applies every `Set-Cookie` of a response; returns the names it set or deleted. */
  apply(response: Response): string[] {
    const changed: string[] = [];
    for (const line of response.headers.getSetCookie()) {
      const parsed = parseSetCookie(line);
      if (parsed === undefined) continue;
      if (parsed.expired) this.cookies.delete(parsed.name);
      else this.cookies.set(parsed.name, parsed.value);
      changed.push(parsed.name);
    }
    return changed;
  }

  /**
   * The session cookie's value as the server reassembles it: `name`, or `name.0 … name.N` joined. As in the
   * kit, a chunked value starts at `name.0` (later chunks without it are leftovers a concurrent response left,
   * never read). Undefined when absent; `malformed` when chunks are missing or `name` and `name.0` coexist,
   * which means a deletion was lost (the jar's or the server's fault).
   */
  value(name: string): string | undefined | 'malformed' {
    const whole = this.cookies.get(name);
    const chunks = this.chunks(name);
    if (!chunks.has(0)) return whole;
    if (whole !== undefined) return 'malformed';
    const parts: string[] = [];
    for (let i = 0; i < chunks.size; i++) {
      const part = chunks.get(i);
      if (part === undefined) return 'malformed';
      parts.push(part);
    }
    return parts.join('');
  }

  /** How many cookies make up the session's value (1 unless chunked). */
  parts(name: string): number {
    const chunks = this.chunks(name);
    if (chunks.has(0)) return chunks.size;
    return this.cookies.has(name) ? 1 : 0;
  }

  private chunks(name: string): Map<number, string> {
    const chunks = new Map<number, string>();
    for (const [key, value] of this.cookies) {
      const match = /^(.*)\.(\d+)$/.exec(key);
      if (match?.[1] === name) chunks.set(Number(match[2]), value);
    }
    return chunks;
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, value] of this.cookies) copy.cookies.set(name, value);
    return copy;
  }
}

interface SetCookie {
  name: string;
  value: string;
  expired: boolean;
}

function parseSetCookie(line: string): SetCookie | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  let expired = false;
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const [key = '', raw = ''] = attribute.split('=', 2).map((part) => part.trim());
    const lower = key.toLowerCase();
    // Max-Age wins over Expires (RFC 6265 §5.3).
    if (lower === 'max-age') {
      maxAgeSeen = true;
      expired = Number(raw) <= 0;
    } else if (lower === 'expires' && !maxAgeSeen) {
      const at = Date.parse(raw);
      if (!Number.isNaN(at)) expired = at <= Date.now();
    }
  }
  return { name, value, expired };
}
