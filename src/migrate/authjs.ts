import { base64url, calculateJwkThumbprint, errors, type JWTPayload, jwtDecrypt } from 'jose';
import { deferConfigErrorDuringBuild } from '../build-phase.ts';
import { readChunkedCookie } from '../cookie/chunks.ts';
import { cookiePrefix } from '../cookie/prefix.ts';
import { SessionConfigError } from '../errors.ts';
import type { CookieJar, InvalidSessionReason, SessionData } from '../types.ts';
import { carryOver, expireCookies, type MapData, type UserIdOf } from './carry-over.ts';
import { checkCookieName, checkCookieScope, checkKeys, deferredSource, optionalFunction } from './options.ts';
import type { MigrationRead, MigrationRequest, MigrationSource } from './types.ts';

const FACTORY = 'authjsSession()';
const KEYS = ['secret', 'map', 'userId', 'cookieName', 'cookieOptions'] as const;
// Auth.js v5's session cookie: `__Secure-` on https (its `useSecureCookies`).
const PLAIN_NAME = 'authjs.session-token';
const SECURE_NAME = `__Secure-${PLAIN_NAME}`;
// Auth.js splits a large token into `name.0`, `name.1`, … of ~3.9 KB; a
// request header holds a few of them at most (Node refuses headers over 16 KB).
const MAX_CHUNKS = 8;
// As Auth.js's own decode(): 15 s of clock skew on `exp`.
const CLOCK_TOLERANCE_S = 15;
const ALG = 'dir';
const ENCRYPTIONS = ['A256CBC-HS512', 'A256GCM'] as const;
type Encryption = (typeof ENCRYPTIONS)[number];
const KEY_BYTES: Record<Encryption, number> = { 'A256CBC-HS512': 64, A256GCM: 32 };
const encoder = new TextEncoder();

/**
 * The claims of an Auth.js v5 JWT session (its `JWT` type): what the `jwt`
 * callback returned, plus `iat`, `exp` and `jti`.
 *
 * @example
 * ```ts
 * const map = (token: AuthjsToken) => ({ user: token.name ?? undefined });
 * ```
 */
export interface AuthjsToken extends JWTPayload {
  name?: string | null;
  email?: string | null;
  picture?: string | null;
  sub?: string;
}

/**
 * Options of {@link authjsSession}.
 *
 * @example
 * ```ts
 * const options: AuthjsSessionOptions<Data> = { secret: process.env.AUTH_SECRET!, map: (token) => ({ user: token.name ?? undefined }) };
 * ```
 */
export interface AuthjsSessionOptions<Data extends SessionData, Token extends AuthjsToken = AuthjsToken> {
  /**
   * `AUTH_SECRET`, or Auth.js's `secret` list when it rotates
   * (`[AUTH_SECRET_1, AUTH_SECRET]`, newest first): every token sealed with
   * any of them is read, the key chosen by the token's `kid` as Auth.js does.
   */
  secret: string | readonly string[];
  /** Turns the token's claims into the session's data, e.g. `(token) => ({ user: token.name })`. */
  map: MapData<Token, Data>;
  /** The user the session is bound to; default the token's `sub` (Auth.js's user id). */
  userId?: UserIdOf<Token>;
  /**
   * The session cookie's name when Auth.js's `cookies.sessionToken.name` was
   * changed. Default: `__Secure-authjs.session-token` on https,
   * `authjs.session-token` on http, as Auth.js picks it. The name is also the
   * key derivation's salt.
   */
  cookieName?: string;
  /** `path` and `domain` of Auth.js's `cookies.sessionToken.options`, when they were changed. */
  cookieOptions?: { path?: string; domain?: string };
}

/**
 * Reads Auth.js v5 JWT session cookies (`authjs.session-token`, chunked or
 * not) for `createSessionKit({ migrateFrom })`: a JWE (`dir`,
 * `A256CBC-HS512`) opened with `jose` under the key Auth.js derives from
 * `AUTH_SECRET` (HKDF-SHA256, salt = cookie name). An expired token (its
 * `exp`, 15 s of skew) gives a fresh session.
 *
 * @example
 * ```ts
 * import { authjsSession } from 'next-session-kit/migrate/authjs';
 * export const { getSession } = createSessionKit<Data>({
 *   storage: encryptedCookieStorage({ secret: sessionSecret() }),
 *   migrateFrom: authjsSession({ secret: process.env.AUTH_SECRET!, map: (token) => ({ user: token.name ?? undefined }) }),
 * });
 * ```
 */
export function authjsSession<
  Data extends SessionData = SessionData,
  Token extends AuthjsToken = AuthjsToken,
>(options: AuthjsSessionOptions<Data, Token>): MigrationSource<Data> {
  return deferConfigErrorDuringBuild(
    () => createAuthjsSource(options),
    (error) => deferredSource<Data>('authjs', error),
  );
}

function createAuthjsSource<Data extends SessionData, Token extends AuthjsToken>(
  options: AuthjsSessionOptions<Data, Token>,
): MigrationSource<Data> {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(
      `${FACTORY} needs { secret: process.env.AUTH_SECRET, map: (token) => data }.`,
    );
  }
  checkKeys(options, KEYS, FACTORY);
  const secrets = checkSecrets(options.secret);
  if (typeof options.map !== 'function') {
    throw new SessionConfigError(
      `${FACTORY} needs \`map\`: a function (token) => data that picks what the session keeps from the ` +
        "token's claims, e.g. (token) => ({ user: token.name }).",
    );
  }
  const userId =
    optionalFunction(options.userId, FACTORY, 'userId', '(token) => string | undefined') ?? subject;
  const fixedName =
    options.cookieName === undefined
      ? undefined
      : checkCookieName(options.cookieName, FACTORY, "Auth.js's `cookies.sessionToken.name`");
  const scope = checkCookieScope(options.cookieOptions, FACTORY);
  const keyrings = new Map<string, Promise<Keyring>>();
  const keyringFor = (salt: string): Promise<Keyring> => {
    let keyring = keyrings.get(salt);
    if (keyring === undefined) {
      keyring = deriveKeyring(secrets, salt);
      keyrings.set(salt, keyring);
    }
    return keyring;
  };
  const names = fixedName === undefined ? [PLAIN_NAME, SECURE_NAME] : [fixedName];

  return {
    name: 'authjs',
    cookieNames: names,
    async read(jar, request): Promise<MigrationRead<Data>> {
      const name = fixedName ?? (request.secure ? SECURE_NAME : PLAIN_NAME);
      const cookie = readChunkedCookie(jar, name, MAX_CHUNKS);
      if (cookie.status === 'absent') return { status: 'absent' };
      if (cookie.status === 'malformed') return { status: 'rejected', reason: 'invalid' };
      const opened = await decode(cookie.value, await keyringFor(name), request);
      if ('reason' in opened) return { status: 'rejected', reason: opened.reason };
      return carryOver(opened.token as Token, options.map, userId, FACTORY);
    },
    clear(jar, request) {
      for (const name of names) {
        const secure = cookiePrefix(name) !== undefined || request.secure;
        expireCookies(jar, ownCookies(jar, name), { ...scope, secure });
      }
    },
  };
}

function subject(token: AuthjsToken): string | undefined {
  return token.sub;
}

function checkSecrets(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...(value as unknown[])] : [];
  if (list.length === 0 || list.some((secret) => typeof secret !== 'string' || secret.length === 0)) {
    throw new SessionConfigError(
      `${FACTORY} needs \`secret\`: your AUTH_SECRET, or the list Auth.js rotates through ` +
        '([AUTH_SECRET_1, AUTH_SECRET], newest first).',
    );
  }
  return list as string[];
}

/** The cookie `name` and its chunks `name.N` that the request carries. */
function ownCookies(jar: CookieJar, name: string): string[] {
  const prefix = `${name}.`;
  return jar
    .getAll()
    .map((cookie) => cookie.name)
    .filter((n) => n === name || (n.startsWith(prefix) && /^\d{1,3}$/.test(n.slice(prefix.length))));
}

interface DerivedKey {
  key: Uint8Array;
  /** Auth.js's `kid`: the key's JWK thumbprint. */
  kid: string;
}

/** Per secret, in order, the key of each content encryption Auth.js accepts. */
type Keyring = Array<Record<Encryption, DerivedKey>>;

// Auth.js's getDerivedEncryptionKey(): HKDF-SHA256 of the secret, salted with
// the cookie name; WebCrypto's HKDF, as in Auth.js's own @panva/hkdf.
async function deriveKeyring(secrets: readonly string[], salt: string): Promise<Keyring> {
  const info = encoder.encode(`Auth.js Generated Encryption Key (${salt})`);
  return Promise.all(
    secrets.map(async (secret) => {
      const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
        'deriveBits',
      ]);
      const derive = async (enc: Encryption): Promise<DerivedKey> => {
        const bits = await crypto.subtle.deriveBits(
          { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(salt), info },
          material,
          KEY_BYTES[enc] * 8,
        );
        const key = new Uint8Array(bits);
        const kid = await calculateJwkThumbprint(
          { kty: 'oct', k: base64url.encode(key) },
          key.byteLength === 64 ? 'sha512' : 'sha256',
        );
        return { key, kid };
      };
      const [cbc, gcm] = await Promise.all([derive('A256CBC-HS512'), derive('A256GCM')]);
      return { 'A256CBC-HS512': cbc, A256GCM: gcm };
    }),
  );
}

class NoMatchingKey extends Error {}

// Auth.js's decode(), on jose: the token's `kid` picks the secret; a token
// without `kid` (older Auth.js) is tried with the first secret only, as
// Auth.js does. `exp` is required: every token Auth.js writes has one.
async function decode(
  token: string,
  keyring: Keyring,
  request: MigrationRequest,
): Promise<{ token: JWTPayload } | { reason: InvalidSessionReason }> {
  try {
    const { payload } = await jwtDecrypt(
      token,
      (header) => {
        const enc = header.enc as Encryption;
        const kid = header.kid;
        for (const keys of keyring) {
          if (kid === undefined || keys[enc].kid === kid) return keys[enc].key;
        }
        throw new NoMatchingKey();
      },
      {
        clockTolerance: CLOCK_TOLERANCE_S,
        keyManagementAlgorithms: [ALG],
        contentEncryptionAlgorithms: [...ENCRYPTIONS],
        requiredClaims: ['exp'],
        currentDate: new Date(request.now),
      },
    );
    return { token: payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { reason: 'expired' };
    if (error instanceof NoMatchingKey) return { reason: 'unknown-key' };
    return { reason: 'invalid' };
  }
}
