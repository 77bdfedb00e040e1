import { ResponseCookies } from 'next/dist/server/web/spec-extension/cookies';
import type { CookieJar, CookieWriteOptions } from '../types.ts';

/**
 * A browser's cookie store for one site, plus the per-request jar the kit
 * writes through. Set-Cookie lines are produced by Next's own
 * `ResponseCookies`, so attribute assertions check what Next really sends.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie line of the last request. */
  lastSetCookie: string[] = [];
  /** Every `set` call of the last request, with its options. */
  lastWrites: Array<{ name: string; value: string; options: CookieWriteOptions }> = [];

  /** A fresh jar for one request, seeded with the browser's cookies. */
  request(): CookieJar & { flush(): void } {
    const requestCookies = new Map(this.cookies);
    const headers = new Headers();
    const response = new ResponseCookies(headers);
    this.lastSetCookie = [];
    this.lastWrites = [];
    return {
      get: (name) => {
        const value = requestCookies.get(name);
        return value === undefined ? undefined : { name, value };
      },
      getAll: () => [...requestCookies].map(([name, value]) => ({ name, value })),
      set: (name, value, options) => {
        this.lastWrites.push({ name, value, options });
        response.set(name, value, options);
        if (options.maxAge === 0) requestCookies.delete(name);
        else requestCookies.set(name, value);
      },
      flush: () => {
        this.lastSetCookie = headers.getSetCookie();
        for (const write of this.lastWrites) {
          if (write.options.maxAge === 0) this.cookies.delete(write.name);
          else this.cookies.set(write.name, write.value);
        }
      },
    };
  }
}
