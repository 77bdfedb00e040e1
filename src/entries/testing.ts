import { AsyncLocalStorage } from 'node:async_hooks';
import { installTestRequestStore, type TestRequest } from '../next/test-request.ts';
import type { CookieJar, CookieWriteOptions } from '../types.ts';

/**
 * The request `withSessionRequest()` simulates.
 *
 * @example
 * ```ts
 * const options: TestRequestOptions = { cookies: { session: 'eyJ…' }, url: 'https://app.example/' };
 * ```
 */
export interface TestRequestOptions {
  /** Cookies the browser sends, e.g. `previous.cookies` to carry a login on. */
  cookies?: Record<string, string> | Iterable<readonly [string, string]>;
  /** Request headers (for `verifyOrigin`-style checks, or `x-forwarded-proto`). */
  headers?: HeadersInit;
  /**
   * The request URL: an `https:` URL makes the request count as https (Secure
   * cookies, so the session cookie is `__Host-session` rather than `session`).
   */
  url?: string;
  /**
   * Simulate a server component render: `save()` throws
   * `SessionReadOnlyError`, as it does in Next. Default `false` (a Server
   * Action or Route Handler).
   */
  readOnly?: boolean;
}

/**
 * One cookie write, with the attributes Next would send.
 *
 * @example
 * ```ts
 * const write: TestCookieWrite = { name: 'session', value: 'eyJ…', options };
 * ```
 */
export interface TestCookieWrite {
  name: string;
  value: string;
  options: CookieWriteOptions;
}

/**
 * What a simulated request produced.
 *
 * @example
 * ```ts
 * const { result, redirect, cookies } = await withSessionRequest({}, () => login(form));
 * ```
 */
export interface TestResponse<T> {
  /** What `fn` returned (`undefined` when it redirected). */
  result: T | undefined;
  /** The target of a `redirect()` / `permanentRedirect()` called by `fn`, if any. */
  redirect: string | undefined;
  /** The browser's cookies afterwards: those sent, with this request's writes applied. */
  cookies: Record<string, string>;
  /** Every cookie write of this request, in order. */
  setCookies: TestCookieWrite[];
}

const store = installTestRequestStore(new AsyncLocalStorage<TestRequest>());

/**
 * Runs `fn` as if inside a Next.js request, so code that calls the kit's
 * `getSession()`, `newSession()`, `destroySession()`, `hasSession()` works in
 * a unit test (vitest, node:test) without a Next server: the kit reads and
 * writes this request's cookie jar instead of `cookies()`. A `redirect()`
 * thrown by `fn` is caught and reported, after the cookies it set. Only the
 * kit is redirected here: code of yours that calls `cookies()` or
 * `headers()` itself still needs a real request.
 *
 * @example
 * ```ts
 * import { withSessionRequest } from 'next-session-kit/testing';
 * import { login, increment } from '../app/actions';
 *
 * const signedIn = await withSessionRequest({}, () => login(form));
 * expect(signedIn.redirect).toBe('/');
 * const next = await withSessionRequest({ cookies: signedIn.cookies }, () => increment());
 * ```
 */
export async function withSessionRequest<T>(
  options: TestRequestOptions,
  fn: () => T | Promise<T>,
): Promise<TestResponse<T>> {
  const browser = new Map<string, string>(
    options.cookies === undefined
      ? []
      : Symbol.iterator in options.cookies
        ? [...(options.cookies as Iterable<readonly [string, string]>)]
        : Object.entries(options.cookies),
  );
  const setCookies: TestCookieWrite[] = [];
  const jar: CookieJar = {
    get: (name) => {
      const value = browser.get(name);
      return value === undefined ? undefined : { name, value };
    },
    getAll: () => [...browser].map(([name, value]) => ({ name, value })),
    set: (name, value, writeOptions) => {
      setCookies.push({ name, value, options: { ...writeOptions } });
      if (writeOptions.maxAge === 0) browser.delete(name);
      else browser.set(name, value);
    },
  };
  const headers = new Headers(options.headers);
  if (options.url !== undefined) {
    const url = new URL(options.url);
    if (!headers.has('host')) headers.set('host', url.host);
    if (!headers.has('x-forwarded-proto')) headers.set('x-forwarded-proto', url.protocol.slice(0, -1));
  }
  const request: TestRequest = { jar, headers, readOnly: options.readOnly === true, after: [] };

  let result: T | undefined;
  let redirect: string | undefined;
  await store.run(request, async () => {
    try {
      result = await fn();
    } catch (error) {
      redirect = redirectTarget(error);
      if (redirect === undefined) throw error;
    } finally {
      // What Next runs after the response (after()): the unsaved-changes check.
      for (const callback of request.after) await callback();
    }
  });
  return { result, redirect, cookies: Object.fromEntries(browser), setCookies };
}

// Next's redirect() throws an error whose digest is
// "NEXT_REDIRECT;<replace|push>;<url>;<status>;".
function redirectTarget(error: unknown): string | undefined {
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest !== 'string' || !digest.startsWith('NEXT_REDIRECT;')) return undefined;
  return digest.split(';').slice(2, -2).join(';');
}

/**
 * A browser for a sequence of test requests: each `request()` sends the
 * cookies the previous ones left (like `withSessionRequest` with
 * `cookies: previous.cookies`).
 *
 * @example
 * ```ts
 * const browser = createTestBrowser();
 * await browser.request(() => login(form));
 * const page = await browser.request(() => Home(), { readOnly: true });
 * ```
 */
export function createTestBrowser(): {
  readonly cookies: Map<string, string>;
  request<T>(
    fn: () => T | Promise<T>,
    options?: Omit<TestRequestOptions, 'cookies'>,
  ): Promise<TestResponse<T>>;
} {
  const cookies = new Map<string, string>();
  return {
    cookies,
    async request(fn, options = {}) {
      const response = await withSessionRequest({ ...options, cookies }, fn);
      cookies.clear();
      for (const [name, value] of Object.entries(response.cookies)) cookies.set(name, value);
      return response;
    },
  };
}
