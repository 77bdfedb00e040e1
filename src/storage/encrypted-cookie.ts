import { deferConfigErrorDuringBuild } from '../build-phase.ts';
import { createJweCodec } from '../codec/jwe.ts';
import { SECRET_ADVICE, secretProblem } from '../codec/secret-strength.ts';
import { SessionConfigError } from '../errors.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';
import { storageIdentity } from './identity.ts';
import { IN_COOKIE } from './in-cookie.ts';
import type { BoundStorage, LoadResult, SessionStorage, StorageContext } from './types.ts';

const DEFAULT_MAX_CHUNKS = 4;
const MAX_CHUNKS_LIMIT = 16;
// One chunk never carries more than ~4 KB, so anything longer than the
// chunk budget is refused before any crypto runs.
const CHUNK_BYTES = 4096;

/**
 * Options of {@link encryptedCookieStorage}.
 *
 * @example
 * ```ts
 * const options: EncryptedCookieStorageOptions = { secret: [process.env.SESSION_SECRET!, process.env.OLD_SECRET!] };
 * ```
 */
export interface EncryptedCookieStorageOptions {
  /**
   * At least 32 characters that can hold 128 bits (one repeated character, a
   * cycle such as "abcabc…" or a run such as "abcdef…" is refused); generate
   * one with `npx next-session-kit secret`. For rotation pass
   * `[current, ...older]`: the first seals, all open.
   */
  secret: string | readonly string[];
  /** How many `name.N` cookies a large session may use before saving throws. Default 4, at most 16. */
  maxChunks?: number;
  /** Crypto backend; `auto` (default) uses node:crypto when present, else WebCrypto. */
  crypto?: 'auto' | 'node' | 'web';
}

/**
 * Sessions kept entirely in an encrypted cookie: JWE compact serialization,
 * `dir` + `A256GCM`, one key per secret derived with HKDF-SHA256 (salt: the
 * cookie name) at creation. Nothing to run server-side; cannot revoke a
 * copied cookie before it expires.
 *
 * @example
 * ```ts
 * import { createSessionKit, encryptedCookieStorage } from 'next-session-kit';
 * export const { getSession, newSession, destroySession } = createSessionKit({
 *   storage: encryptedCookieStorage({ secret: process.env.SESSION_SECRET! }),
 * });
 * ```
 */
export function encryptedCookieStorage(options: EncryptedCookieStorageOptions): SessionStorage {
  return deferConfigErrorDuringBuild(
    () => createEncryptedCookieStorage(options),
    (error) => ({
      name: 'encrypted-cookie',
      create: () => {
        throw error;
      },
    }),
  );
}

function createEncryptedCookieStorage(options: EncryptedCookieStorageOptions): SessionStorage {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError('encryptedCookieStorage() needs { secret }.');
  }
  rejectUnknownOptions(options, ['secret', 'maxChunks', 'crypto'], 'encryptedCookieStorage option');
  const secrets = validateSecrets(options.secret);
  const maxChunks = options.maxChunks ?? DEFAULT_MAX_CHUNKS;
  if (!Number.isInteger(maxChunks) || maxChunks < 1 || maxChunks > MAX_CHUNKS_LIMIT) {
    throw new SessionConfigError(
      `\`maxChunks\` must be a whole number from 1 to ${MAX_CHUNKS_LIMIT}; each chunk is one ~4 KB cookie.`,
    );
  }
  const backend = options.crypto ?? 'auto';
  if (backend !== 'auto' && backend !== 'node' && backend !== 'web') {
    throw new SessionConfigError('`crypto` must be "auto", "node" or "web".');
  }
  return {
    name: 'encrypted-cookie',
    create: (context: StorageContext): BoundStorage => {
      const codec = createJweCodec({ secrets, salt: context.cookieName, backend });
      const trackActivity = context.lifetime.idleTimeout !== undefined;
      return {
        ...IN_COOKIE,
        maxChunks,
        identity: storageIdentity([secrets, maxChunks]),
        async load(cookieValue: string): Promise<LoadResult> {
          if (cookieValue.length > maxChunks * CHUNK_BYTES) return { status: 'rejected', reason: 'invalid' };
          const opened = await codec.open(cookieValue);
          if (!opened.ok) return { status: 'rejected', reason: opened.reason };
          const state = decodeEnvelope(opened.plaintext);
          if (state === undefined) return { status: 'rejected', reason: 'invalid' };
          return { status: 'found', state, handle: state.id, stale: opened.stale };
        },
        save: (input) => codec.seal(encodeEnvelope(input.state, trackActivity, input.includeShown === true)),
      };
    },
  };
}

/**
 * Checks `secret` (one, or `[current, ...older]`) as every kit secret is
 * checked; throws `SessionConfigError` saying how to fix it. `name` names
 * the option in messages.
 *
 * @internal
 */
export function validateSecrets(secret: unknown, name = 'secret'): string[] {
  const list =
    typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...(secret as unknown[])] : undefined;
  if (list === undefined || list.length === 0) {
    throw new SessionConfigError(
      `\`${name}\` is required: a string of at least 32 characters, or [current, ...older] for rotation. ` +
        'Generate one with `npx next-session-kit secret` and keep it in SESSION_SECRET.',
    );
  }
  if (list.length > 16) {
    throw new SessionConfigError(
      `\`${name}\` lists more than 16 secrets; drop the ones no live cookie uses.`,
    );
  }
  const seen = new Set<string>();
  list.forEach((value, index) => {
    const where = list.length === 1 ? `\`${name}\`` : `\`${name}[${index}]\``;
    // Never echo the secret itself, not even its length beyond "too short".
    const problem = secretProblem(value);
    if (problem !== undefined) throw new SessionConfigError(`${where} ${problem} ${SECRET_ADVICE}`);
    const text = value as string; // secretProblem() accepts strings only
    if (seen.has(text))
      throw new SessionConfigError(`${where} repeats an earlier secret; list each secret once.`);
    seen.add(text);
  });
  return list as string[];
}
