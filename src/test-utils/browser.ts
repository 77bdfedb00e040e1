import { ResponseCookies } from 'next/dist/server/web/spec-extension/cookies';
import { CookieBrowser } from '../testing/kit-runner.ts';
import type { CookieWriteOptions } from '../types.ts';

/**
 * A {@link CookieBrowser} whose Set-Cookie lines are produced by Next's own
 * `ResponseCookies`, so attribute assertions check what Next really sends.
 */
export class TestBrowser extends CookieBrowser {
  /** Every Set-Cookie line of the last request. */
  lastSetCookie: string[] = [];
  #headers = new Headers();
  #response = new ResponseCookies(this.#headers);

  protected override started(): void {
    this.lastSetCookie = [];
    this.#headers = new Headers();
    this.#response = new ResponseCookies(this.#headers);
  }

  protected override written(name: string, value: string, options: CookieWriteOptions): void {
    this.#response.set(name, value, options);
  }

  protected override flushed(): void {
    this.lastSetCookie = this.#headers.getSetCookie();
  }
}
