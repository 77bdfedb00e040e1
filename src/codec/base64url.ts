// Portable base64url (RFC 4648 §5, no padding) over btoa/atob, which every
// runtime the kit supports has. The Node fast path uses Buffer instead, after
// checking the text with isBase64url (Buffer's decoder is lenient).

const INVALID = 0xff;
// V8 runs this anchored class far faster than a charCodeAt loop in JS.
const ALPHABET = /^[A-Za-z0-9_-]*$/;

// Character code -> 6-bit value, INVALID for anything outside the alphabet.
const SEXTETS = /* @__PURE__ */ (() => {
  const table = new Uint8Array(128).fill(INVALID);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
})();

/**
 * Whether `text` is canonical unpadded base64url: only the URL-safe alphabet,
 * a possible length, and no stray bits in the last character, so every byte
 * string has exactly one accepted spelling.
 */
export function isBase64url(text: string): boolean {
  const length = text.length;
  const rest = length % 4;
  if (rest === 1 || !ALPHABET.test(text)) return false;
  if (rest === 0) return true;
  // 2 trailing chars carry 1 byte (4 spare bits), 3 carry 2 bytes (2 spare bits).
  const last = SEXTETS[text.charCodeAt(length - 1)] as number;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/**
 * The 6-bit value of a base64url character code, or `undefined` outside the
 * alphabet.
 */
export function sextet(code: number): number | undefined {
  const value = code < 128 ? SEXTETS[code] : INVALID;
  return value === INVALID ? undefined : value;
}

/**
 * Encodes bytes as unpadded base64url.
 */
export function base64urlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes unpadded base64url strictly: `undefined` for any other alphabet,
 * padding, an impossible length or a non-canonical last character.
 */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!isBase64url(text)) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Encodes a UTF-8 string as unpadded base64url.
 */
export function base64urlEncodeText(text: string): string {
  return base64urlEncode(new TextEncoder().encode(text));
}
