import { isBase64url } from './base64url.ts';
import { parseProtectedHeader } from './header.ts';
import type { CipherBackend, Keyring, KeySlot } from './keyring.ts';
import { createNodeBackend } from './node-backend.ts';
import { loadNodeRuntime } from './node-runtime.ts';
import { createWebBackend } from './web-backend.ts';

// Anything longer cannot be a cookie we wrote; refuse it before any parsing.
const MAX_TOKEN_LENGTH = 64 * 1024;
const IV_CHARS = 16; // 12 bytes
const TAG_CHARS = 22; // 16 bytes
const DOT = 46;

/**
 * Result of {@link JweCodec.open}. `stale` is `true` when the token opened with
 * an older secret (not `secrets[0]`), i.e. it should be re-sealed.
 * `unknown-key` means a well-formed token whose `kid` matches none of the
 * secrets; `invalid` covers everything else (malformed, tampered, wrong key).
 */
export type JweOpenResult =
  | { ok: true; plaintext: string; stale: boolean } // stale: opened with a non-current (older) key
  | { ok: false; reason: 'invalid' | 'unknown-key' };

/**
 * Seals and opens compact JWE (`alg: "dir"`, `enc: "A256GCM"`, `kid` in the
 * protected header) with keys derived from a list of secrets.
 */
export interface JweCodec {
  /**
   * kid of the current (sealing) key.
   *
   * With the WebCrypto backend keys are derived asynchronously, so this
   * throws until the first `seal()` or `open()` has resolved; the Node
   * backend knows it at creation.
   */
  readonly currentKid: string;
  /** Encrypts UTF-8 `plaintext` with the current key into a compact JWE. */
  seal(plaintext: string): Promise<string>;
  /** Decrypts a compact JWE. Never throws or rejects, whatever the input string. */
  open(token: string): Promise<JweOpenResult>;
}

/**
 * Options for {@link createJweCodec}.
 */
export interface JweCodecOptions {
  /** `secrets[0]` seals; every secret opens. Not length-checked here. */
  secrets: readonly string[];
  /** HKDF salt: the cookie name, so each cookie gets its own keys. */
  salt: string;
  /**
   * HKDF info; default `next-session-kit` (the session cookie's, part of its
   * wire format). Another value gives keys that can never open, or seal,
   * what the session cookie's keys do.
   */
  info?: string;
  /**
   * `'node'`: synchronous `node:crypto` (throws if unavailable). `'web'`:
   * WebCrypto. `'auto'` (default): `'node'` when available, else `'web'`.
   */
  backend?: 'auto' | 'node' | 'web';
}

const invalid = (): JweOpenResult => ({ ok: false, reason: 'invalid' });
const unknownKey = (): JweOpenResult => ({ ok: false, reason: 'unknown-key' });

/**
 * Creates a JWE codec. Keys are derived once, here: synchronously on Node,
 * in the background with WebCrypto (awaited by the first call).
 *
 * A token opens with the key(s) whose `kid` its header names; a token without
 * `kid` (e.g. from another JOSE library) is tried against every key. Tokens
 * are only accepted in the exact format sealed (no `zip`, no `crit`, 12-byte
 * IV, 16-byte tag, canonical base64url, at most 64 KiB).
 *
 * @throws TypeError if `secrets` is empty or not all strings, `salt` is not a
 * string, `backend: 'node'` is requested where `node:crypto` is unavailable,
 * or no WebCrypto is available.
 */
export function createJweCodec(options: JweCodecOptions): JweCodec {
  const { secrets, salt, info, backend = 'auto' } = options;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new TypeError('createJweCodec: `secrets` must be a non-empty array of strings.');
  }
  if (!secrets.every((secret) => typeof secret === 'string')) {
    throw new TypeError('createJweCodec: every entry of `secrets` must be a string.');
  }
  if (typeof salt !== 'string') throw new TypeError('createJweCodec: `salt` must be a string.');
  if (backend !== 'auto' && backend !== 'node' && backend !== 'web') {
    throw new TypeError("createJweCodec: `backend` must be 'auto', 'node' or 'web'.");
  }
  // A repeated secret would only be tried twice; first occurrence keeps its rank.
  const unique = [...new Set(secrets)];

  const node = backend === 'web' ? undefined : loadNodeRuntime();
  if (node) return codecFor(createNodeBackend(node, unique, salt, info));
  if (backend === 'node') {
    throw new TypeError(
      "createJweCodec: backend 'node' needs node:crypto via process.getBuiltinModule (Node >= 20.16).",
    );
  }
  const webCrypto = (globalThis as { crypto?: Crypto }).crypto;
  if (typeof webCrypto?.subtle?.encrypt !== 'function') {
    throw new TypeError('createJweCodec: no WebCrypto (globalThis.crypto.subtle) in this runtime.');
  }
  return codecFor(createWebBackend(webCrypto, unique, salt, info));
}

function codecFor<K>(backend: CipherBackend<K>): JweCodec {
  return {
    get currentKid(): string {
      const ring = backend.ring;
      if (ring === undefined) {
        throw new Error('JweCodec.currentKid: keys are still being derived; await seal() or open() first.');
      }
      return ring.current.kid;
    },

    async seal(plaintext) {
      if (typeof plaintext !== 'string') throw new TypeError('JweCodec.seal: plaintext must be a string.');
      const ring = backend.ring ?? (await backend.ready);
      return backend.seal(ring.current, plaintext);
    },

    async open(token) {
      try {
        return await openToken(backend, token);
      } catch {
        return invalid();
      }
    },
  };
}

async function openToken<K>(backend: CipherBackend<K>, token: string): Promise<JweOpenResult> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return invalid();

  // header . (empty encrypted key) . iv . ciphertext . tag
  const headerEnd = token.indexOf('.');
  if (headerEnd < 1 || token.charCodeAt(headerEnd + 1) !== DOT) return invalid();
  const ivStart = headerEnd + 2;
  const ivEnd = ivStart + IV_CHARS;
  if (token.charCodeAt(ivEnd) !== DOT) return invalid();
  const tagStart = token.length - TAG_CHARS;
  // The ciphertext (possibly empty) sits between two distinct dots.
  if (tagStart - 1 <= ivEnd || token.charCodeAt(tagStart - 1) !== DOT) return invalid();

  const header = token.slice(0, headerEnd);
  const iv = token.slice(ivStart, ivEnd);
  const ciphertext = token.slice(ivEnd + 1, tagStart - 1);
  const tag = token.slice(tagStart);
  // The alphabet checks also reject stray dots, so the segment count is exactly 5.
  if (!isBase64url(iv) || !isBase64url(ciphertext) || !isBase64url(tag)) return invalid();

  const ring = backend.ring ?? (await backend.ready);
  const candidates = candidatesFor(ring, header);
  if (candidates === undefined) return invalid();
  if (candidates.length === 0) return unknownKey();

  const opened = await backend.open(candidates, header, iv, ciphertext, tag);
  if (opened === undefined) return invalid();
  return { ok: true, plaintext: opened.plaintext, stale: !opened.slot.current };
}

/** Keys to try for a header segment; `undefined` if the header is unacceptable. */
function candidatesFor<K>(ring: Keyring<K>, header: string): readonly KeySlot<K>[] | undefined {
  // Fast path: byte-identical to a header we write, so no JSON parsing.
  const known = ring.byHeader.get(header);
  if (known !== undefined) return known;
  const parsed = parseProtectedHeader(header);
  if (parsed === undefined) return undefined;
  if (parsed.kid === undefined) return ring.all;
  return ring.byKid.get(parsed.kid) ?? [];
}
