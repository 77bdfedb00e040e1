import { MAX_FUTURE_SKEW_MS } from '../lifetime.ts';
import { base64urlDecode, base64urlEncode } from './base64url.ts';
import { loadNodeRuntime } from './node-runtime.ts';

// Fernet (github.com/fernet/spec), as Python's cryptography writes it:
// 0x80 | timestamp (u64 BE, seconds) | IV (16) | AES-128-CBC/PKCS7 | HMAC-SHA256 (32)
// over everything before it. Key: 32 bytes, signing key first, encryption key last.
const VERSION = 0x80;
const HEADER = 25;
const MAC = 32;
const BLOCK = 16;
// Python's Fernet refuses tokens stamped this far in the future: the 60 s
// every session gets (MAX_FUTURE_SKEW_MS).
const MAX_CLOCK_SKEW_S = MAX_FUTURE_SKEW_MS / 1000;

/**
 * Outcome of {@link FernetCodec.decrypt}.
 */
export type FernetOpened =
  | { ok: true; plaintext: string; timestamp: number; stale: boolean }
  | { ok: false; reason: 'invalid' | 'expired' | 'future' };

/**
 * Fernet tokens with a key list: the first key encrypts, every key decrypts.
 * Keys are imported once, when the codec is created.
 */
export interface FernetCodec {
  /** A token with `timestamp` (Unix seconds), base64url with padding. */
  encrypt(plaintext: string, timestamp: number): Promise<string>;
  /** `ttl`: seconds a token stays valid after its timestamp (`undefined`: forever). */
  decrypt(token: string, ttl: number | undefined, nowSeconds: number): Promise<FernetOpened>;
}

// `undefined`: the MAC does not match this key; `null`: authentic but not
// decryptable (bad padding), which no other key can fix.
type Opened = Uint8Array | undefined | null;

interface KeyPair {
  encrypt(
    iv: Uint8Array<ArrayBuffer>,
    body: Uint8Array<ArrayBuffer>,
    plaintext: Uint8Array<ArrayBuffer>,
  ): Promise<Uint8Array<ArrayBuffer>>;
  open(token: Uint8Array<ArrayBuffer>): Promise<Opened>;
}

const node = loadNodeRuntime();
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes a url-safe base64 Fernet key into its 32 raw bytes, or
 * `undefined` when it is not one (wrong alphabet, length or padding).
 */
export function decodeFernetKey(key: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]{43}=?$/.test(key)) return undefined;
  const bytes = base64urlDecode(key.slice(0, 43));
  return bytes?.length === 32 ? bytes : undefined;
}

function decodeToken(token: string): Uint8Array<ArrayBuffer> | undefined {
  // Python pads with "=" to a multiple of 4 and refuses a token without its
  // padding (urlsafe_b64decode: "Incorrect padding"), so the kit does too.
  // Tokens the kit's cookies carry need no "=": their length is a multiple of 4.
  if (token.length % 4 !== 0) return undefined;
  // The strict decoder wants the padding stripped.
  return base64urlDecode(token.replace(/={1,2}$/, ''));
}

function encodeToken(bytes: Uint8Array): string {
  const bare = base64urlEncode(bytes);
  return bare + '='.repeat((4 - (bare.length % 4)) % 4);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function nodeKeyPair(raw: Uint8Array): KeyPair {
  const { crypto } = node as NonNullable<typeof node>;
  const sign = crypto.createSecretKey(raw.slice(0, 16));
  const enc = crypto.createSecretKey(raw.slice(16));
  return {
    async encrypt(iv, body, plaintext) {
      const cipher = crypto.createCipheriv('aes-128-cbc', enc, iv);
      const signed = concat(body, cipher.update(plaintext), cipher.final());
      return concat(signed, crypto.createHmac('sha256', sign).update(signed).digest());
    },
    async open(token) {
      const signed = token.subarray(0, token.length - MAC);
      const mac = crypto.createHmac('sha256', sign).update(signed).digest();
      if (!crypto.timingSafeEqual(mac, token.subarray(token.length - MAC))) return undefined;
      const decipher = crypto.createDecipheriv('aes-128-cbc', enc, token.subarray(9, HEADER));
      try {
        return concat(decipher.update(signed.subarray(HEADER)), decipher.final());
      } catch {
        return null;
      }
    },
  };
}

function webKeyPair(raw: Uint8Array): KeyPair {
  const subtle = globalThis.crypto.subtle;
  const keys = Promise.all([
    subtle.importKey('raw', raw.slice(0, 16), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']),
    subtle.importKey('raw', raw.slice(16), { name: 'AES-CBC' }, false, ['encrypt', 'decrypt']),
  ]);
  return {
    async encrypt(iv, body, plaintext) {
      const [sign, enc] = await keys;
      const ciphertext = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, enc, plaintext));
      const signed = concat(body, ciphertext);
      return concat(signed, new Uint8Array(await subtle.sign('HMAC', sign, signed)));
    },
    async open(token) {
      const [sign, enc] = await keys;
      const signed = token.subarray(0, token.length - MAC);
      // verify() compares in constant time.
      if (!(await subtle.verify('HMAC', sign, token.subarray(token.length - MAC), signed))) return undefined;
      try {
        const iv = token.slice(9, HEADER);
        return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv }, enc, signed.subarray(HEADER)));
      } catch {
        return null;
      }
    },
  };
}

/**
 * Creates a Fernet codec over raw 32-byte keys (see {@link decodeFernetKey}),
 * with node:crypto where available and WebCrypto elsewhere.
 */
export function createFernetCodec(
  rawKeys: readonly Uint8Array[],
  backend: 'auto' | 'node' | 'web' = 'auto',
): FernetCodec {
  if (backend === 'node' && node === undefined) {
    throw new TypeError(
      "createFernetCodec: backend 'node' needs node:crypto via process.getBuiltinModule (Node >= 20.16).",
    );
  }
  if (rawKeys.length === 0 || rawKeys.some((raw) => raw.length !== 32)) {
    throw new TypeError('createFernetCodec: every key must be 32 raw bytes.');
  }
  const useNode = backend !== 'web' && node !== undefined;
  const pairs = rawKeys.map((raw) => (useNode ? nodeKeyPair(raw) : webKeyPair(raw)));
  const current = pairs[0] as KeyPair;
  return {
    async encrypt(plaintext, timestamp) {
      const body = new Uint8Array(HEADER);
      body[0] = VERSION;
      const view = new DataView(body.buffer);
      view.setUint32(1, Math.floor(timestamp / 2 ** 32));
      view.setUint32(5, timestamp >>> 0);
      const iv = globalThis.crypto.getRandomValues(new Uint8Array(BLOCK));
      body.set(iv, 9);
      return encodeToken(await current.encrypt(iv, body, encoder.encode(plaintext)));
    },
    async decrypt(token, ttl, nowSeconds) {
      const bytes = decodeToken(token);
      if (bytes === undefined || bytes[0] !== VERSION) return { ok: false, reason: 'invalid' };
      const cipherLength = bytes.length - HEADER - MAC;
      if (cipherLength < BLOCK || cipherLength % BLOCK !== 0) return { ok: false, reason: 'invalid' };
      for (let i = 0; i < pairs.length; i++) {
        const opened = await (pairs[i] as KeyPair).open(bytes);
        if (opened === undefined) continue;
        if (opened === null) return { ok: false, reason: 'invalid' };
        const view = new DataView(bytes.buffer, bytes.byteOffset);
        const timestamp = view.getUint32(1) * 2 ** 32 + view.getUint32(5);
        if (ttl !== undefined && timestamp + ttl < nowSeconds) return { ok: false, reason: 'expired' };
        // Python raises InvalidToken here too; the reason tells a forged or skewed token apart.
        if (nowSeconds + MAX_CLOCK_SKEW_S < timestamp) return { ok: false, reason: 'future' };
        let plaintext: string;
        try {
          plaintext = utf8.decode(opened);
        } catch {
          return { ok: false, reason: 'invalid' };
        }
        return { ok: true, plaintext, timestamp, stale: i > 0 };
      }
      return { ok: false, reason: 'invalid' };
    },
  };
}
