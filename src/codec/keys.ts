import { base64urlEncode } from './base64url.ts';
import { loadNodeRuntime, type NodeRuntime } from './node-runtime.ts';

// Key schedule (part of the wire format, never change it):
//   key = HKDF-SHA256(ikm = UTF-8 secret, salt = UTF-8 cookie name, info = "next-session-kit", L = 32)
//   kid = base64url(SHA-256(key)[0..3])  (4 characters)

const HKDF_INFO = 'next-session-kit';
const KEY_BITS = 256;
const KID_BYTES = 3;

const encoder = new TextEncoder();

/**
 * Derives the AES-256 key synchronously with Node's `hkdfSync`.
 *
 * @internal
 */
export function deriveKeyNode(
  node: NodeRuntime,
  secret: string,
  salt: string,
  info: string = HKDF_INFO,
): Uint8Array {
  return new Uint8Array(node.crypto.hkdfSync('sha256', secret, salt, info, KEY_BITS / 8));
}

/**
 * Derives the AES-256 key with WebCrypto (edge runtime, browsers).
 *
 * @internal
 */
export async function deriveKeyWeb(
  subtle: SubtleCrypto,
  secret: string,
  salt: string,
  info: string = HKDF_INFO,
): Promise<Uint8Array<ArrayBuffer>> {
  const ikm = await subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveBits']);
  const params = {
    name: 'HKDF',
    hash: 'SHA-256',
    salt: encoder.encode(salt),
    info: encoder.encode(info),
  };
  return new Uint8Array(await subtle.deriveBits(params, ikm, KEY_BITS));
}

/**
 * The key id for a derived key, computed synchronously with Node's `createHash`.
 *
 * @internal
 */
export function kidNode(node: NodeRuntime, key: Uint8Array): string {
  return node.crypto.createHash('sha256').update(key).digest().subarray(0, KID_BYTES).toString('base64url');
}

/**
 * The key id for a derived key, computed with WebCrypto.
 *
 * @internal
 */
export async function kidWeb(subtle: SubtleCrypto, key: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await subtle.digest('SHA-256', key));
  return base64urlEncode(digest.subarray(0, KID_BYTES));
}

/**
 * Derive the raw 32-byte AES key for a secret + cookie name, e.g. to read cookies from another language.
 *
 * The key is HKDF-SHA256 with the UTF-8 secret as input keying material, the
 * UTF-8 cookie name as salt and `"next-session-kit"` as info. Cookies are
 * compact JWE (`alg: "dir"`, `enc: "A256GCM"`) encrypted with this key, so any
 * JOSE library can open them. Treat the result like the secret itself.
 *
 * @param secret - One of the secrets given to the storage.
 * @param cookieName - The session cookie's name (the HKDF salt).
 * @returns A fresh 32-byte key.
 * @example
 * ```ts
 * import { compactDecrypt } from 'jose';
 *
 * const key = await deriveCookieKey(process.env.SESSION_SECRET!, 'session');
 * const { plaintext } = await compactDecrypt(cookieValue, key);
 * ```
 */
export async function deriveCookieKey(secret: string, cookieName: string): Promise<Uint8Array> {
  const node = loadNodeRuntime();
  if (node) return deriveKeyNode(node, secret, cookieName);
  return deriveKeyWeb(globalThis.crypto.subtle, secret, cookieName);
}
