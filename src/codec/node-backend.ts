import type { Buffer } from 'node:buffer';
import type { KeyObject } from 'node:crypto';
import { protectedHeaderSegment } from './header.ts';
import { ivPool } from './iv-pool.ts';
import { type CipherBackend, createKeyring, type KeySlot, type Opened } from './keyring.ts';
import { deriveKeyNode, kidNode } from './keys.ts';
import type { NodeRuntime } from './node-runtime.ts';

const ALGORITHM = 'aes-256-gcm';
const TAG_BYTES = 16;

/**
 * Key material for the Node backend: the AES key as a KeyObject and the
 * precomputed AAD (ASCII bytes of the header segment this codec writes).
 *
 * @internal
 */
export interface NodeKey {
  readonly key: KeyObject;
  readonly aad: Buffer;
}

/**
 * The synchronous Node backend: keys derived with `hkdfSync` right here, and
 * AES-256-GCM through `createCipheriv` / `createDecipheriv`, with Buffer doing
 * base64url.
 *
 * @internal
 */
export function createNodeBackend(
  node: NodeRuntime,
  secrets: readonly string[],
  salt: string,
  info?: string,
): CipherBackend<NodeKey> {
  const { crypto } = node;
  const { Buffer: NodeBuffer } = node.buffer;
  const nextIv = ivPool(
    (bytes) => NodeBuffer.allocUnsafeSlow(bytes),
    (pool) => crypto.randomFillSync(pool),
  );

  const ring = createKeyring(
    secrets.map((secret, index): KeySlot<NodeKey> => {
      const raw = deriveKeyNode(node, secret, salt, info);
      const kid = kidNode(node, raw);
      const header = protectedHeaderSegment(kid);
      const material = { key: crypto.createSecretKey(raw), aad: NodeBuffer.from(header, 'latin1') };
      raw.fill(0); // the KeyObject holds its own copy
      return { kid, header, current: index === 0, material };
    }),
  );

  return {
    ring,
    ready: Promise.resolve(ring),

    seal(slot, plaintext) {
      const iv = nextIv();
      const cipher = crypto.createCipheriv(ALGORITHM, slot.material.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(slot.material.aad);
      const ciphertext = cipher.update(plaintext, 'utf8');
      cipher.final();
      const tag = cipher.getAuthTag();
      return `${slot.header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${tag.toString('base64url')}`;
    },

    open: (candidates, aad, iv, ciphertext, tag) => openNode(node, candidates, aad, iv, ciphertext, tag),
  };
}

function openNode(
  node: NodeRuntime,
  candidates: readonly KeySlot<NodeKey>[],
  aad: string,
  iv: string,
  ciphertext: string,
  tag: string,
): Opened<NodeKey> | undefined {
  const { crypto } = node;
  const { Buffer: NodeBuffer, isUtf8 } = node.buffer;
  const ivBytes = NodeBuffer.from(iv, 'base64url');
  const ciphertextBytes = NodeBuffer.from(ciphertext, 'base64url');
  const tagBytes = NodeBuffer.from(tag, 'base64url');
  let foreignAad: Buffer | undefined;
  for (const slot of candidates) {
    let aadBytes = slot.material.aad;
    if (aad !== slot.header) {
      foreignAad ??= NodeBuffer.from(aad, 'latin1');
      aadBytes = foreignAad;
    }
    const decipher = crypto.createDecipheriv(ALGORITHM, slot.material.key, ivBytes, {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aadBytes);
    decipher.setAuthTag(tagBytes);
    const plaintext = decipher.update(ciphertextBytes);
    try {
      decipher.final();
    } catch {
      continue; // not this key (or forged): try the next candidate
    }
    // Authentic but not UTF-8: no other key could have produced it.
    if (!isUtf8(plaintext)) return undefined;
    return { slot, plaintext: plaintext.toString('utf8') };
  }
  return undefined;
}
