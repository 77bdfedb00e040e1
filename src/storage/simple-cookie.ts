import { base64urlDecode, base64urlEncodeText } from '../codec/base64url.ts';
import { SessionConfigError } from '../errors.ts';
import { decodeEnvelope, encodeEnvelope } from './envelope.ts';
import { IN_COOKIE } from './in-cookie.ts';
import type { BoundStorage, LoadResult, SessionStorage, StorageContext } from './types.ts';

const MAX_VALUE = 4 * 4096;
let warned = false;

/**
 * Plain JSON in a cookie: NOT encrypted, NOT signed, so the browser can read
 * and forge it. For tests and local development only; logs a warning when
 * `NODE_ENV=production`.
 *
 * @example
 * ```ts
 * createSessionKit({ storage: simpleCookieStorage() }); // local experiments only
 * ```
 */
export function simpleCookieStorage(options: { maxChunks?: number } = {}): SessionStorage {
  const maxChunks = options.maxChunks ?? 4;
  if (!Number.isInteger(maxChunks) || maxChunks < 1 || maxChunks > 16) {
    throw new SessionConfigError('`maxChunks` must be a whole number from 1 to 16.');
  }
  return {
    name: 'simple-cookie',
    create: (context: StorageContext): BoundStorage => {
      if (!warned && typeof process !== 'undefined' && process.env?.NODE_ENV === 'production') {
        warned = true;
        console.warn(
          'next-session-kit: simpleCookieStorage() keeps sessions in plain, unsigned cookies that any ' +
            'visitor can read and forge. Use encryptedCookieStorage() or a store in production.',
        );
      }
      const trackActivity = context.lifetime.idleTimeout !== undefined;
      return {
        ...IN_COOKIE,
        maxChunks,
        async load(cookieValue: string): Promise<LoadResult> {
          if (cookieValue.length > MAX_VALUE) return { status: 'rejected', reason: 'invalid' };
          const bytes = base64urlDecode(cookieValue);
          if (bytes === undefined) return { status: 'rejected', reason: 'invalid' };
          let json: string;
          try {
            json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
          } catch {
            return { status: 'rejected', reason: 'invalid' };
          }
          const state = decodeEnvelope(json);
          if (state === undefined) return { status: 'rejected', reason: 'invalid' };
          return { status: 'found', state, handle: state.id, stale: false };
        },
        // base64url keeps the JSON within the cookie-value alphabet.
        save: async (input) =>
          base64urlEncodeText(encodeEnvelope(input.state, trackActivity, input.includeShown === true)),
      };
    },
  };
}
