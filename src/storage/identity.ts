import { sha256Base64url } from './store/token.ts';

// Its own domain: a fingerprint can never equal a token's key or anything else hashed here.
const DOMAIN = 'next-session-kit storage identity\0';

/**
 * A one-way fingerprint of what decides which cookie values a bound storage
 * accepts and where it loads them from (its secrets, its key prefix), for
 * {@link BoundStorage.identity}. Equal for two kits built from the same
 * options, in whichever bundle; secrets never leave it in the clear.
 *
 * @internal
 */
export function storageIdentity(parts: readonly unknown[]): string | Promise<string> {
  return sha256Base64url(DOMAIN + JSON.stringify(parts));
}
