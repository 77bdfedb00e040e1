import { base64urlDecode, base64urlEncodeText } from './base64url.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The protected header segment this codec writes for a key id:
 * base64url of exactly `{"alg":"dir","enc":"A256GCM","kid":"<kid>"}`.
 *
 * @internal
 */
export function protectedHeaderSegment(kid: string): string {
  return base64urlEncodeText(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid }));
}

/**
 * Outcome of {@link parseProtectedHeader} for an acceptable header: the key id
 * it names, if any.
 *
 * @internal
 */
export interface ProtectedHeader {
  readonly kid: string | undefined;
}

/**
 * Parses and validates a foreign protected header segment (the slow path, for
 * headers not byte-identical to ones this codec writes). Returns `undefined`
 * unless it is canonical base64url of a UTF-8 JSON object with `alg: "dir"`,
 * `enc: "A256GCM"`, no `zip`, no `crit`, and a string `kid` if any.
 *
 * @internal
 */
export function parseProtectedHeader(segment: string): ProtectedHeader | undefined {
  const bytes = base64urlDecode(segment);
  if (bytes === undefined) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
  const fields = header as Record<string, unknown>;
  if (fields.alg !== 'dir' || fields.enc !== 'A256GCM') return undefined;
  // No compression (a CRIME/BREACH-style oracle on cookies) and no critical
  // extensions: we understand none, so RFC 7516 says reject.
  if (Object.hasOwn(fields, 'zip') || Object.hasOwn(fields, 'crit')) return undefined;
  const kid = fields.kid;
  if (kid !== undefined && typeof kid !== 'string') return undefined;
  return { kid };
}
