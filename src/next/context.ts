import { cookies, headers } from 'next/headers.js';
import { connection } from 'next/server.js';
import { SessionReadOnlyError } from '../errors.ts';
import type { CookieJar } from '../types.ts';
import { HAND_OFF_HEADER } from './hand-off.ts';
import { currentTestRequest } from './test-request.ts';

type NextCookies = Awaited<ReturnType<typeof cookies>>;

/**
 * The request's cookie jar from `next/headers`.
 */
export async function requestJar(): Promise<CookieJar> {
  const test = currentTestRequest();
  if (test !== undefined) return test.jar;
  return (await cookies()) as unknown as CookieJar;
}

/**
 * Whether this request may set cookies (a Server Action, a Route Handler),
 * as opposed to a server component render.
 */
export async function canWriteCookies(): Promise<boolean> {
  const test = currentTestRequest();
  if (test !== undefined) return !test.readOnly;
  const jar: NextCookies = await cookies();
  return (jar.set as unknown) !== (jar.delete as unknown);
}

/**
 * The jar, checked to be writable. While a server component renders, Next
 * hands out a sealed jar whose mutators are all one shared function that
 * throws; that identity test lets us refuse *before* touching any store, so
 * a read-only render can never half-save. Both are Next internals (pinned by
 * context.test.ts against the installed Next), so every write is also
 * checked after the fact: a write Next refuses or ignores is a
 * `SessionReadOnlyError`, never a save reported as done.
 */
export async function writableJar(): Promise<CookieJar> {
  const test = currentTestRequest();
  if (test !== undefined) {
    if (test.readOnly) throw new SessionReadOnlyError();
    return test.jar;
  }
  const jar: NextCookies = await cookies();
  if ((jar.set as unknown) === (jar.delete as unknown)) throw new SessionReadOnlyError();
  return {
    get: (name) => jar.get(name),
    getAll: () => jar.getAll(),
    set: (name, value, options) => {
      try {
        jar.set(name, value, options);
      } catch (error) {
        // Phase changed after the check (e.g. action → render): same meaning.
        if (error instanceof Error && /Cookies can only be modified/.test(error.message)) {
          throw new SessionReadOnlyError();
        }
        throw error;
      }
      // A writable jar shows what was just set; one that does not dropped it.
      if (jar.get(name)?.value !== value) throw new SessionReadOnlyError();
    },
  };
}

/** What a save needs to know about the request, read from one `headers()` call. */
export interface RequestFacts {
  /**
   * Reached us over https, as far as Next knows (it sets `x-forwarded-proto`
   * itself, and keeps a trusted proxy's value).
   */
  secure: boolean;
  /** A Server Action call (the browser's `Next-Action` header). */
  action: boolean;
  /** The id under which `proxy.ts` left this request's session, if it says so (see hand-off.ts). */
  handOff: string | null;
}

/**
 * The request's headers (for what a sign-in records of the device).
 */
export async function requestHeaders(): Promise<Headers> {
  const test = currentTestRequest()?.headers;
  if (test !== undefined) return test;
  return (await headers()) as unknown as Headers;
}

/**
 * The request facts a load and a save need, read from the request's headers
 * (Next's read-only `headers()`, or a test request's).
 */
export function requestFactsOf(requestHeaders: Pick<Headers, 'get' | 'has'>): RequestFacts {
  const proto = requestHeaders.get('x-forwarded-proto');
  return {
    secure: proto !== null && proto.split(',')[0]?.trim().toLowerCase() === 'https',
    action: requestHeaders.has('next-action'),
    handOff: requestHeaders.get(HAND_OFF_HEADER),
  };
}

/**
 * Waits until Next renders for the actual request, before the kit reads the
 * clock (expiry checks, a new session's creation time). With
 * `cacheComponents`, Next treats the current time as an input that must not
 * reach a prerender, and with `partialPrefetching` (create-next-app's
 * default) it logs every `Date.now()` read while the cookie-dependent part of
 * a page is prerendered for a prefetch. A session depends on the time (it
 * expires), so its part of the page belongs to the request: `connection()`,
 * as Next's message advises. In Server Actions and Route Handlers it resolves
 * at once; while Next prerenders, it never does (the session is left out of
 * the prerendered shell, as `cookies()` already is).
 */
export async function atRequestTime(): Promise<void> {
  if (currentTestRequest() !== undefined) return;
  await connection();
}
