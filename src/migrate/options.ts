import { isCookieDomain, isCookieNameToken, isCookiePath } from '../cookie/validate.ts';
import { SessionConfigError } from '../errors.ts';
import type { SessionData } from '../types.ts';
import { rejectUnknownOptions } from '../unknown-options.ts';
import type { MigrationSource } from './types.ts';

// Sources whose factory refused its options while `next build` ran: the
// error waits here until createSessionKit() meets the stand-in at runtime.
const deferredErrors = new WeakMap<object, SessionConfigError>();

/**
 * A stand-in for a source whose options failed during `next build` (no
 * secrets on the build machine): `createSessionKit()` throws the same error
 * when the server starts.
 *
 * @internal
 */
export function deferredSource<Data extends SessionData>(
  name: string,
  error: SessionConfigError,
): MigrationSource<Data> {
  const fail = (): never => {
    throw error;
  };
  const source: MigrationSource<Data> = { name, cookieNames: [], read: fail, clear: fail };
  deferredErrors.set(source, error);
  return source;
}

/**
 * Validates `createSessionKit({ migrateFrom })`: a source or a list of them,
 * made by `ironSession()` / `authjsSession()` (or anything with the same
 * shape), whose cookies are not the kit's own.
 *
 * @internal
 */
export function resolveMigrateFrom(
  value: unknown,
  kit: { cookieName: string; exactCookieName: boolean },
): readonly MigrationSource[] {
  if (value === undefined) return [];
  const list: unknown[] = Array.isArray(value) ? [...value] : [value];
  const sources = list.map(checkSource);
  if (sources.length > 0 && kit.exactCookieName) {
    throw new SessionConfigError(
      '`migrateFrom` cannot be combined with the aiohttp-session formats: they have no field for the user id ' +
        'a migrated session carries. Migrate into encryptedCookieStorage() or a store in the kit format.',
    );
  }
  const seen = new Map<string, string>();
  const own = [kit.cookieName, `__Host-${kit.cookieName}`, `__Secure-${kit.cookieName}`];
  for (const source of sources) {
    for (const name of source.cookieNames) {
      if (own.some((kitName) => sameCookie(kitName, name))) {
        throw new SessionConfigError(
          `The ${source.name} cookie "${name}" is the kit's own cookie name: the kit would read the old ` +
            `cookie as its own and refuse it. Give the kit another name, e.g. createSessionKit({ cookieName: 'app-session' }).`,
        );
      }
      const other = seen.get(name);
      if (other !== undefined) {
        throw new SessionConfigError(
          `Two \`migrateFrom\` sources (${other} and ${source.name}) read the cookie "${name}"; list each cookie once.`,
        );
      }
      seen.set(name, source.name);
    }
  }
  return sources;
}

function checkSource(value: unknown): MigrationSource {
  if (typeof value === 'function') {
    throw new SessionConfigError(
      '`migrateFrom` takes sources such as ironSession({ password, cookieName }): call the function.',
    );
  }
  const source = value as Partial<MigrationSource> | null;
  if (
    typeof source !== 'object' ||
    source === null ||
    typeof source.name !== 'string' ||
    !Array.isArray(source.cookieNames) ||
    !source.cookieNames.every(isCookieNameToken) ||
    typeof source.read !== 'function' ||
    typeof source.clear !== 'function'
  ) {
    throw new SessionConfigError(
      '`migrateFrom` must be a source or a list of them, made by ironSession() from ' +
        "'next-session-kit/migrate/iron-session' or authjsSession() from 'next-session-kit/migrate/authjs'.",
    );
  }
  const deferred = deferredErrors.get(source);
  if (deferred !== undefined) throw deferred;
  return source as MigrationSource;
}

// The same cookie, or one's chunk (`name.N`) the other would read.
function sameCookie(a: string, b: string): boolean {
  const chunkOf = (chunk: string, base: string) =>
    chunk.startsWith(`${base}.`) && /^\d+$/.test(chunk.slice(base.length + 1));
  return a === b || chunkOf(a, b) || chunkOf(b, a);
}

/**
 * Refuses keys a migration source's factory does not know, naming the valid ones.
 *
 * @internal
 */
export function checkKeys(options: object, valid: readonly string[], factory: string): void {
  rejectUnknownOptions(options, valid, `${factory} option`);
}

/**
 * A cookie name given to a migration source's factory: exactly the name the
 * old library writes.
 *
 * @internal
 */
export function checkCookieName(value: unknown, factory: string, hint: string): string {
  if (!isCookieNameToken(value) || /\.\d+$/.test(value)) {
    throw new SessionConfigError(
      `${factory} needs \`cookieName\`: ${hint}. Cookie names are letters, digits and !#$%&'*+-.^_\`|~ ` +
        '(at most 128, not ending in ".<number>").',
    );
  }
  return value;
}

/**
 * The attributes the old library wrote its cookie with, as far as clearing
 * it needs them (`path`, `domain`; a browser only removes a cookie whose name,
 * path and domain all match).
 *
 * @internal
 */
export function checkCookieScope(
  value: unknown,
  factory: string,
): { path: string; domain: string | undefined } {
  if (value === undefined) return { path: '/', domain: undefined };
  if (typeof value !== 'object' || value === null) {
    throw new SessionConfigError(`${factory}: \`cookieOptions\` must be an object such as { path: '/' }.`);
  }
  const { path = '/', domain } = value as { path?: unknown; domain?: unknown };
  if (!isCookiePath(path)) {
    throw new SessionConfigError(
      `${factory}: \`cookieOptions.path\` must be the path the old cookie was set with, such as "/".`,
    );
  }
  if (domain !== undefined && !isCookieDomain(domain)) {
    throw new SessionConfigError(
      `${factory}: \`cookieOptions.domain\` must be the domain the old cookie was set with, such as ` +
        '"example.com", or unset for a host-only cookie.',
    );
  }
  return { path, domain };
}

/**
 * An optional function option, checked to be one.
 *
 * @internal
 */
export function optionalFunction<F>(
  value: F | undefined,
  factory: string,
  name: string,
  shape: string,
): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new SessionConfigError(`${factory}: \`${name}\` must be a function ${shape}.`);
  }
  return value;
}
