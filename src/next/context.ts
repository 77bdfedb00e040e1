import { cookies, headers } from 'next/headers.js';
import { SessionReadOnlyError } from '../errors.ts';
import type { CookieJar } from '../types.ts';

type NextCookies = Awaited<ReturnType<typeof cookies>>;

/**
 * The request's cookie jar from `next/headers`.
 *
 * @example
 * ```ts
 * const jar = await requestJar();
 * ```
 */
export async function requestJar(): Promise<CookieJar> {
  return (await cookies()) as unknown as CookieJar;
}

/**
 * The jar, checked to be writable. While a server component renders, Next
 * hands out a sealed jar whose mutators are all one shared function that
 * throws; that identity test lets us refuse *before* touching any store, so
 * a read-only render can never half-save.
 *
 * @example
 * ```ts
 * const jar = await writableJar(); // throws SessionReadOnlyError in a server component
 * ```
 */
export async function writableJar(): Promise<CookieJar> {
  const jar: NextCookies = await cookies();
  if ((jar.set as unknown) === (jar.delete as unknown)) throw new SessionReadOnlyError();
  return {
    get: (name) => jar.get(name),
    getAll: () => jar.getAll(),
    set: (name, value, options) => {
      try {
        return jar.set(name, value, options);
      } catch (error) {
        // Phase changed after the check (e.g. action → render): same meaning.
        if (error instanceof Error && /Cookies can only be modified/.test(error.message)) {
          throw new SessionReadOnlyError();
        }
        throw error;
      }
    },
  };
}

/**
 * Whether the request reached us over https, as far as Next knows (it sets
 * `x-forwarded-proto` itself, and keeps a trusted proxy's value).
 *
 * @example
 * ```ts
 * const secure = await isHttpsRequest();
 * ```
 */
export async function isHttpsRequest(): Promise<boolean> {
  const proto = (await headers()).get('x-forwarded-proto');
  return proto !== null && proto.split(',')[0]?.trim().toLowerCase() === 'https';
}
