import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, webcrypto } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { decode as authDecode, encode as authEncode } from '@auth/core/jwt';
import { unsealData as ironOpen, sealData as ironSeal } from 'iron-session';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { BoundStorage, SaveInput } from '../src/storage/types.ts';
import { kit, lifetimeOptions } from './kit.ts';
import type { SessionPayload } from './payloads.ts';

/** One library's seal/open pair, reduced to "data in, token out" and back. */
export interface Codec {
  readonly id: CodecId;
  readonly label: string;
  seal(data: SessionPayload): Promise<string>;
  /** Resolves to the session data; rejects if the token does not open. */
  open(token: string): Promise<SessionPayload>;
}

export type CodecId = 'raw' | 'nsk-node' | 'nsk-web' | 'jose' | 'authjs' | 'iron';

const MAX_AGE_S = 14 * 24 * 60 * 60;
const COOKIE_NAME = 'session';
const AUTHJS_SALT = 'authjs.session-token';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The baseline: the least work that still is authenticated encryption of JSON. */
function rawNodeCrypto(): Codec {
  const key = createSecretKey(randomBytes(32));
  return {
    id: 'raw',
    label: 'raw node:crypto AES-256-GCM',
    async seal(data) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = cipher.update(JSON.stringify(data), 'utf8');
      cipher.final();
      return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url');
    },
    async open(token) {
      const bytes = Buffer.from(token, 'base64url');
      const iv = bytes.subarray(0, IV_BYTES);
      const ciphertext = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const json = decipher.update(ciphertext, undefined, 'utf8') + decipher.final('utf8');
      return JSON.parse(json) as SessionPayload;
    },
  };
}

/** The kit's real cookie path: the bound storage's save/load, envelope included. */
function nextSessionKit(secret: string, crypto: 'node' | 'web'): Codec {
  const storage: BoundStorage = kit.encryptedCookieStorage({ secret, crypto }).create({
    cookieName: COOKIE_NAME,
    ...lifetimeOptions(kit, MAX_AGE_S),
    now: Date.now,
  });
  const createdAt = Date.now();
  const id = kit.createSessionId(createdAt);
  const expiresAt = createdAt + MAX_AGE_S * 1000;
  return {
    id: crypto === 'node' ? 'nsk-node' : 'nsk-web',
    label: crypto === 'node' ? 'next-session-kit (node:crypto)' : 'next-session-kit (WebCrypto)',
    async seal(data) {
      const input: SaveInput = {
        state: { id, data, createdAt, lastActiveAt: createdAt },
        handle: undefined,
        previous: [],
        changedKeys: [],
        cleared: true,
        expiresAt,
      };
      const token = await storage.save(input);
      // The cookie storage always yields a value; null is for revoked store records.
      if (token === null) throw new Error('encrypted cookie storage returned no value');
      return token;
    },
    async open(token) {
      const result = await storage.load(token);
      if (result.status !== 'found')
        throw new Error(`next-session-kit rejected its own cookie: ${result.reason}`);
      return result.state.data;
    },
  };
}

function iron(secret: string): Codec {
  const options = { password: secret, ttl: MAX_AGE_S };
  return {
    id: 'iron',
    label: 'iron-session@8 sealData',
    seal: (data) => ironSeal(data, options),
    open: (token) => ironOpen<SessionPayload>(token, options),
  };
}

function authjs(secret: string): Codec {
  return {
    id: 'authjs',
    label: 'Auth.js @auth/core/jwt',
    seal: (data) => authEncode<SessionPayload>({ token: data, secret, salt: AUTHJS_SALT }),
    async open(token) {
      const payload = await authDecode<SessionPayload>({ token, secret, salt: AUTHJS_SALT });
      if (payload === null) throw new Error('Auth.js decode returned null for its own token');
      return payload;
    },
  };
}

async function jose(): Promise<Codec> {
  // Imported once, as an app would keep it; jose then does no key work per call.
  const key = await webcrypto.subtle.importKey('raw', randomBytes(32), 'AES-GCM', false, [
    'encrypt',
    'decrypt',
  ]);
  return {
    id: 'jose',
    label: 'jose EncryptJWT (dir, A256GCM)',
    seal: (data) =>
      new EncryptJWT(data)
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
        .setExpirationTime('14d')
        .encrypt(key),
    async open(token) {
      return (await jwtDecrypt<SessionPayload>(token, key)).payload;
    },
  };
}

/** Every codec under test, baseline first. */
export async function createCodecs(): Promise<Codec[]> {
  const secret = randomBytes(32).toString('base64url');
  return [
    rawNodeCrypto(),
    nextSessionKit(secret, 'node'),
    nextSessionKit(secret, 'web'),
    await jose(),
    authjs(secret),
    iron(secret),
  ];
}

/**
 * Seals `data` once and checks it opens back to the same fields (libraries
 * may add claims such as `exp`, so extra keys are allowed). Returns the token.
 */
export async function sealAndVerify(codec: Codec, data: SessionPayload): Promise<string> {
  const token = await codec.seal(data);
  const opened = await codec.open(token);
  for (const [key, value] of Object.entries(data)) {
    if (!isDeepStrictEqual(opened[key], value)) {
      throw new Error(`${codec.label}: field "${key}" did not survive seal/open.`);
    }
  }
  return token;
}
