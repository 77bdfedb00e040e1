import { base64urlEncode, isBase64url } from '../../codec/base64url.ts';
import { loadNodeRuntime } from '../../codec/node-runtime.ts';

// 32 bytes = 256 bits from the CSPRNG; 43 base64url characters.
const TOKEN_BYTES = 32;
const TOKEN_LENGTH = 43;
const node = loadNodeRuntime();
const encoder = new TextEncoder();

/**
 * A new opaque session token for the cookie: 256 random bits, base64url.
 */
export function createToken(): string {
  const bytes = new Uint8Array(TOKEN_BYTES);
  crypto.getRandomValues(bytes);
  return base64urlEncode(bytes);
}

/**
 * Whether a cookie value has the exact shape of a token this kit issues.
 * Checked before any store call, so junk never reaches the store.
 */
export function isWellFormedToken(value: string): boolean {
  return value.length === TOKEN_LENGTH && isBase64url(value);
}

/**
 * SHA-256 of a string, base64url. Tokens are stored only as this hash, so a
 * dump of the store yields no usable cookie. Synchronous on Node.js (no
 * thread-pool hop per request, so the result is a plain string), WebCrypto
 * elsewhere (a promise).
 */
export function sha256Base64url(text: string): string | Promise<string> {
  if (node !== undefined) return node.crypto.createHash('sha256').update(text, 'utf8').digest('base64url');
  return crypto.subtle
    .digest('SHA-256', encoder.encode(text))
    .then((digest) => base64urlEncode(new Uint8Array(digest)));
}
