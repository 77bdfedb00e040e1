import { base64urlDecode, base64urlEncode } from './base64url.ts';
import { protectedHeaderSegment } from './header.ts';
import { ivPool } from './iv-pool.ts';
import { type CipherBackend, createKeyring, type Keyring, type KeySlot, type Opened } from './keyring.ts';
import { deriveKeyWeb, kidWeb } from './keys.ts';

const TAG_BYTES = 16;

const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Key material for the WebCrypto backend: a non-extractable AES-GCM CryptoKey
 * and the precomputed AAD (ASCII bytes of the header segment this codec writes).
 *
 * @internal
 */
export interface WebKey {
  readonly key: CryptoKey;
  readonly aad: Uint8Array<ArrayBuffer>;
}

/**
 * The WebCrypto backend (edge runtime, browsers, Node without
 * `process.getBuiltinModule`). Key derivation is asynchronous, so it starts
 * here and `ready` settles once every key is imported.
 *
 * @internal
 */
export function createWebBackend(
  webCrypto: Crypto,
  secrets: readonly string[],
  salt: string,
  info?: string,
): CipherBackend<WebKey> {
  const { subtle } = webCrypto;
  let ring: Keyring<WebKey> | undefined;
  const nextIv = ivPool(
    (bytes) => new Uint8Array(bytes),
    (pool) => webCrypto.getRandomValues(pool),
  );
  const ready = importKeys(subtle, secrets, salt, info).then((slots) => {
    ring = createKeyring(slots);
    return ring;
  });
  // Consumers see a failure through seal(); keep it from being reported as
  // unhandled when nobody has called anything yet.
  ready.catch(() => undefined);

  return {
    get ring() {
      return ring;
    },
    ready,

    async seal(slot, plaintext) {
      // A private copy: concurrent seals may refill the pool while we await.
      const iv = nextIv().slice();
      const params = { name: 'AES-GCM', iv, additionalData: slot.material.aad, tagLength: TAG_BYTES * 8 };
      const sealed = new Uint8Array(
        await subtle.encrypt(params, slot.material.key, encoder.encode(plaintext)),
      );
      const split = sealed.length - TAG_BYTES;
      const ciphertext = base64urlEncode(sealed.subarray(0, split));
      return `${slot.header}..${base64urlEncode(iv)}.${ciphertext}.${base64urlEncode(sealed.subarray(split))}`;
    },

    open: (candidates, aad, iv, ciphertext, tag) => openWeb(subtle, candidates, aad, iv, ciphertext, tag),
  };
}

// Derives and imports each secret's key, the first one current.
function importKeys(
  subtle: SubtleCrypto,
  secrets: readonly string[],
  salt: string,
  info: string | undefined,
): Promise<KeySlot<WebKey>[]> {
  return Promise.all(
    secrets.map(async (secret, index): Promise<KeySlot<WebKey>> => {
      const raw = await deriveKeyWeb(subtle, secret, salt, info);
      const kid = await kidWeb(subtle, raw);
      const key = await subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
      raw.fill(0); // only the non-extractable CryptoKey keeps it
      const header = protectedHeaderSegment(kid);
      return { kid, header, current: index === 0, material: { key, aad: encoder.encode(header) } };
    }),
  );
}

async function openWeb(
  subtle: SubtleCrypto,
  candidates: readonly KeySlot<WebKey>[],
  aad: string,
  iv: string,
  ciphertext: string,
  tag: string,
): Promise<Opened<WebKey> | undefined> {
  const ivBytes = base64urlDecode(iv);
  const ciphertextBytes = base64urlDecode(ciphertext);
  const tagBytes = base64urlDecode(tag);
  if (!ivBytes || !ciphertextBytes || !tagBytes) return undefined;
  // WebCrypto wants ciphertext || tag in one buffer.
  const sealed = new Uint8Array(ciphertextBytes.length + TAG_BYTES);
  sealed.set(ciphertextBytes);
  sealed.set(tagBytes, ciphertextBytes.length);
  let foreignAad: Uint8Array<ArrayBuffer> | undefined;
  for (const slot of candidates) {
    let additionalData = slot.material.aad;
    if (aad !== slot.header) {
      foreignAad ??= encoder.encode(aad);
      additionalData = foreignAad;
    }
    let plaintext: ArrayBuffer;
    try {
      plaintext = await subtle.decrypt(
        { name: 'AES-GCM', iv: ivBytes, additionalData, tagLength: TAG_BYTES * 8 },
        slot.material.key,
        sealed,
      );
    } catch {
      continue; // not this key (or forged): try the next candidate
    }
    try {
      return { slot, plaintext: utf8.decode(plaintext) };
    } catch {
      return undefined; // authentic but not UTF-8: no other key could have produced it
    }
  }
  return undefined;
}
