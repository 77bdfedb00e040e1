import { deferConfigErrorDuringBuild } from '../../build-phase.ts';
import { createFernetCodec, decodeFernetKey } from '../../codec/fernet.ts';
import { estimateKeyHalvesBits } from '../../codec/secret-strength.ts';
import { SessionConfigError } from '../../errors.ts';
import { rejectUnknownOptions } from '../../unknown-options.ts';
import { storageIdentity } from '../identity.ts';
import { IN_COOKIE } from '../in-cookie.ts';
import { sha256Base64url } from '../store/token.ts';
import type { BoundStorage, LoadResult, SaveInput, SessionStorage, StorageContext } from '../types.ts';
import { assertAiohttpContext, assertAiohttpState } from './limits.ts';
import { aiohttpRecord, parseAiohttpRecord } from './python-json.ts';
import { unquoteCookieValue } from './quote.ts';
import { renewOnWrite } from './renew-on-write.ts';
import { rememberSpelling, spellingOf } from './spelling.ts';

const WHAT = 'fernetCookieStorage';
// A browser keeps about 4 KB per cookie; anything longer is not ours.
const MAX_VALUE = 4096;
// Each half (signing key, encryption key) must plainly be random bytes; 32
// random bytes score about 100 per half, never near this.
const MIN_HALF_BITS = 64;
const encoder = new TextEncoder();

/**
 * Options of {@link fernetCookieStorage}.
 *
 * @example
 * ```ts
 * const options: FernetCookieStorageOptions = { key: [process.env.FERNET_KEY!, process.env.OLD_FERNET_KEY!] };
 * ```
 */
export interface FernetCookieStorageOptions {
  /**
   * The key exactly as `Fernet.generate_key()` prints it: 44 url-safe base64
   * characters ending with "=". A key whose bytes plainly are not random (32
   * identical bytes, a constant half) is refused. For rotation pass
   * `[current, ...older]`: the first encrypts, all decrypt.
   */
  key: string | readonly string[];
  /** Crypto backend; `auto` (default) uses node:crypto when present, else WebCrypto. */
  crypto?: 'auto' | 'node' | 'web';
}

/**
 * Sessions in aiohttp-session's `EncryptedCookieStorage` cookies (Fernet),
 * so a Next.js app and a Python aiohttp app read and write the same cookie.
 * Set the kit's `cookieName` to the Python `cookie_name` (default
 * `AIOHTTP_SESSION`) and `maxAge` to its `max_age`. The token's timestamp is
 * checked against `maxAge` as Python's Fernet does.
 *
 * @example
 * ```ts
 * import { createSessionKit, fernetCookieStorage } from 'next-session-kit';
 * export const { getSession, newSession, destroySession } = createSessionKit({
 *   storage: fernetCookieStorage({ key: process.env.AIOHTTP_SESSION_KEY! }),
 *   cookieName: 'AIOHTTP_SESSION',
 *   maxAge: 60 * 60 * 24,
 * });
 * ```
 */
export function fernetCookieStorage(options: FernetCookieStorageOptions): SessionStorage {
  return deferConfigErrorDuringBuild(
    () => createFernetCookieStorage(options),
    (error) => ({
      name: 'fernet-cookie',
      exactCookieName: true,
      create: () => {
        throw error;
      },
    }),
  );
}

function createFernetCookieStorage(options: FernetCookieStorageOptions): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      'fernetCookieStorage() needs { key }: the key Fernet.generate_key() printed.',
    );
  }
  rejectUnknownOptions(options, ['key', 'crypto'], 'fernetCookieStorage option');
  const rawKeys = validateKeys(options.key);
  const backend = options.crypto ?? 'auto';
  if (backend !== 'auto' && backend !== 'node' && backend !== 'web') {
    throw new SessionConfigError('`crypto` must be "auto", "node" or "web".');
  }
  const codec = createFernetCodec(rawKeys, backend);
  const identity = storageIdentity([typeof options.key === 'string' ? [options.key] : [...options.key]]);
  return {
    name: 'fernet-cookie',
    // Python reads the cookie by its exact `cookie_name`: never prefix it.
    exactCookieName: true,
    create(context: StorageContext): BoundStorage {
      assertAiohttpContext(WHAT, context);
      const { now } = context;
      const { maxAge } = context.lifetime;
      return {
        ...IN_COOKIE,
        maxChunks: 1,
        identity,
        // Python's record has no field for a session's own lifetime.
        ownLifetime: false,
        stampWrite: renewOnWrite,
        async load(cookieValue: string): Promise<LoadResult> {
          if (cookieValue.length > MAX_VALUE) return { status: 'rejected', reason: 'invalid' };
          const token = unquoteCookieValue(cookieValue);
          const nowSeconds = Math.floor(now() / 1000);
          const opened = await codec.decrypt(token, maxAge, nowSeconds);
          if (!opened.ok) return { status: 'rejected', reason: opened.reason };
          const record = parseAiohttpRecord(opened.plaintext);
          if (record === undefined) return { status: 'rejected', reason: 'invalid' };
          if (record === 'empty') return { status: 'rejected', reason: 'expired' };
          if (record.created <= 0 || nowSeconds - record.created > maxAge) {
            return { status: 'rejected', reason: 'expired' };
          }
          const createdAt = Math.floor(record.created) * 1000;
          // aiohttp-session cookies carry no identity: the id names this cookie value.
          const id = (await sha256Base64url(token)).slice(0, 22);
          const state = { id, data: record.data, createdAt, lastActiveAt: createdAt };
          rememberSpelling(state, record.spelling);
          return { status: 'found', state, handle: id, stale: opened.stale };
        },
        async save(input: SaveInput): Promise<string> {
          assertAiohttpState(WHAT, input.state);
          const created = Math.floor(input.state.createdAt / 1000);
          const record = aiohttpRecord(created, input.state.data, spellingOf(input.state));
          return codec.encrypt(padForCookie(record), created);
        },
      };
    },
  };
}

// A token whose length is a multiple of 3 bytes has no "=" padding, so
// neither Python's cookie quoting nor Next's percent-encoding (which writes
// "=" as %3D, a value Python cannot decrypt) ever touches it. The token is
// 57 + 16 × blocks bytes, so the ciphertext needs a multiple of 3 blocks:
// trailing spaces (JSON whitespace, which json.loads ignores) get it there.
function padForCookie(json: string): string {
  const bytes = encoder.encode(json).length;
  const blocks = Math.floor(bytes / 16) + 1; // PKCS7 always adds a block's worth at most
  const wanted = Math.ceil(blocks / 3) * 3;
  return wanted === blocks ? json : json + ' '.repeat(16 * (wanted - 1) - bytes);
}

function validateKeys(key: unknown): Uint8Array[] {
  if (ArrayBuffer.isView(key) || key instanceof ArrayBuffer) {
    throw new SessionConfigError(
      '`key` must be a string: the url-safe base64 text Fernet.generate_key().decode() prints, ' +
        'not raw bytes.',
    );
  }
  const list = typeof key === 'string' ? [key] : Array.isArray(key) ? [...(key as unknown[])] : undefined;
  if (list === undefined || list.length === 0) {
    throw new SessionConfigError(
      '`key` is required: the string Fernet.generate_key().decode() prints (44 url-safe base64 ' +
        'characters ending with "="), or [current, ...older] for rotation.',
    );
  }
  if (list.length > 16) {
    throw new SessionConfigError('`key` lists more than 16 keys; drop the ones no live cookie uses.');
  }
  const seen = new Set<string>();
  return list.map((value, index) => {
    const where = list.length === 1 ? '`key`' : `\`key[${index}]\``;
    if (typeof value !== 'string') {
      throw new SessionConfigError(
        `${where} must be a string: the url-safe base64 text Fernet.generate_key().decode() prints, ` +
          'not raw bytes.',
      );
    }
    const raw = decodeFernetKey(value);
    if (raw === undefined) {
      // Never echo the key; say which mistake it looks like.
      const hint =
        value.length === 32
          ? ' It looks like the raw 32-byte secret_key a Python app passes as bytes ' +
            '(EncryptedCookieStorage base64-encodes those itself): pass ' +
            'base64.urlsafe_b64encode(secret_key).decode() instead.'
          : /[+/]/.test(value)
            ? ' It uses the standard base64 alphabet ("+", "/"); Fernet keys use "-" and "_".'
            : '';
      throw new SessionConfigError(
        `${where} is not a Fernet key: expected 32 bytes as 44 url-safe base64 characters ending ` +
          `with "=", as Fernet.generate_key() prints.${hint}`,
      );
    }
    if (Math.min(...estimateKeyHalvesBits(raw)) < MIN_HALF_BITS) {
      throw new SessionConfigError(
        `${where} is too weak: its bytes are not random (a repeated byte, a run, or a half that repeats ` +
          'or stays constant). Generate one with Fernet.generate_key() or `openssl rand -base64 32 | tr "+/" "-_"`.',
      );
    }
    if (seen.has(value)) throw new SessionConfigError(`${where} repeats an earlier key; list each key once.`);
    seen.add(value);
    return raw;
  });
}
