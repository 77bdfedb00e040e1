import { createJweCodec } from '../../codec/jwe.ts';
import { SessionConfigError } from '../../errors.ts';
import { isRecord } from '../../is-object.ts';
import { MAX_FUTURE_SKEW_MS } from '../../lifetime.ts';
import { rejectUnknownOptions } from '../../unknown-options.ts';
import { validateSecrets } from '../encrypted-cookie.ts';
import { decodeEnvelope, encodeEnvelope } from '../envelope.ts';
import type { CookieCache, SessionState, StorageContext } from '../types.ts';
import { sha256Base64url } from './token.ts';

// Its own HKDF info: keys that can never open (or seal) a session cookie of
// `encryptedCookieStorage`, even with the same secret and cookie name.
const HKDF_INFO = 'next-session-kit cookie-cache';
// Appended to the session cookie's effective name (after any `__Host-` prefix).
const NAME_SUFFIX = '.cache';
const MAX_AGE_LIMIT = 3600;

/**
 * The `cookieCache` option of the kit's stores: a sealed copy of the
 * session in a second cookie, read instead of the store for `maxAge` seconds.
 *
 * @example
 * ```ts
 * redisStorage({ client, cookieCache: { maxAge: 30, secret: process.env.SESSION_CACHE_SECRET! } });
 * ```
 */
export interface CookieCacheOptions {
  /**
   * Seconds a cached copy is served without asking the store (1 to 3600,
   * and at most half of `idleTimeout`): also how long a revocation may take
   * to reach a browser that holds one.
   */
  maxAge: number;
  /**
   * Seals the copy (AES-256-GCM, key derived with HKDF for this purpose
   * only): at least 32 characters that can hold 128 bits, e.g. from
   * `npx next-session-kit secret`. `[current, ...older]` rotates it.
   */
  secret: string | readonly string[];
}

/**
 * `cookieCache` checked for its shape; the secret is checked when the kit
 * binds the storage (so a build without the secret in its environment
 * still builds, as with `encryptedCookieStorage`).
 */
export function resolveCookieCache(value: unknown): CookieCacheOptions | undefined {
  if (value === undefined) return undefined;
  if (!isRecord(value)) {
    throw new SessionConfigError(
      '`cookieCache` must be an object such as { maxAge: 30, secret: process.env.SESSION_CACHE_SECRET }.',
    );
  }
  rejectUnknownOptions(value, ['maxAge', 'secret'], 'cookieCache option');
  const { maxAge } = value;
  if (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 1 || maxAge > MAX_AGE_LIMIT) {
    throw new SessionConfigError(
      `\`cookieCache.maxAge\` must be a whole number of seconds from 1 to ${MAX_AGE_LIMIT} (e.g. 30): ` +
        'a revoked session may still be read from its cached copy for that long.',
    );
  }
  return value as unknown as CookieCacheOptions;
}

/**
 * The cookie cache of one bound store. The copy is compact JWE over
 * `[key, issuedAt, until, envelope]`: `key` is the session token's hash, so
 * a copy only ever serves the session whose cookie it came with; `until`
 * (never past the session's own expiry at sealing time, nor `maxAge` after
 * `issuedAt`) is checked here, with the server's clock.
 *
 * @internal
 */
export function createCookieCache(options: CookieCacheOptions, context: StorageContext): CookieCache {
  const secrets = validateSecrets(options.secret, 'cookieCache.secret');
  const { maxAge } = options;
  const { idleTimeout } = context.lifetime;
  if (idleTimeout !== undefined && maxAge * 2 > idleTimeout) {
    throw new SessionConfigError(
      `\`cookieCache.maxAge\` (${maxAge} s) must be at most half of \`idleTimeout\` (${idleTimeout} s): ` +
        'reads served from the cache do not reach the store, so the idle expiry must have time to slide.',
    );
  }
  const codec = createJweCodec({ secrets, salt: context.cookieName, info: HKDF_INFO });
  const maxAgeMs = maxAge * 1000;
  return {
    maxAge,
    nameFor: (cookieName) => cookieName + NAME_SUFFIX,
    async seal(token, state, now, expiresAt) {
      const until = Math.min(now + maxAgeMs, expiresAt);
      if (until <= now) return undefined;
      const key = await sha256Base64url(token);
      const payload = `[${JSON.stringify(key)},${now},${until},${JSON.stringify(encodeEnvelope(state, true))}]`;
      return { value: await codec.seal(payload), until };
    },
    async open(value, token, now) {
      if (value === undefined || value.length === 0) return undefined;
      const opened = await codec.open(value);
      if (!opened.ok) return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(opened.plaintext);
      } catch {
        return undefined;
      }
      if (!Array.isArray(parsed) || parsed.length !== 4) return undefined;
      const [key, issuedAt, until, envelope] = parsed as unknown[];
      if (typeof issuedAt !== 'number' || typeof until !== 'number' || typeof envelope !== 'string') {
        return undefined;
      }
      // Expired, issued in the future, or claiming a longer life than maxAge.
      if (now >= until || issuedAt > now + MAX_FUTURE_SKEW_MS || until - issuedAt > maxAgeMs)
        return undefined;
      // Another session's copy (cookies swapped between browsers or sessions).
      if (key !== (await sha256Base64url(token))) return undefined;
      const state: SessionState | undefined = decodeEnvelope(envelope);
      if (state?.shown !== undefined) delete state.shown;
      return state;
    },
  };
}
