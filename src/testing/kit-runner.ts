import { deviceFacts } from '../devices.ts';
import { replaceSession } from '../engine/sign-in.ts';
import { SessionEngine } from '../engine.ts';
import type { SessionKitOptions } from '../options.ts';
import { asSession, type Session, type SessionCore } from '../session.ts';
import type { CookieJar, CookieWriteOptions, SessionData } from '../types.ts';

/**
 * A controllable clock in Unix ms, for the kit and for stores that take one.
 */
export class Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/**
 * One cookie write of a request, with its attributes.
 */
export interface CookieWrite {
  name: string;
  value: string;
  options: CookieWriteOptions;
}

/**
 * A browser's cookies for one site, and the per-request jar the kit reads
 * and writes: what a request sets reaches the browser when it is flushed.
 */
export class CookieBrowser {
  readonly cookies = new Map<string, string>();
  /** Every `set` call of the last request, with its options. */
  lastWrites: CookieWrite[] = [];

  /** A fresh jar for one request, seeded with the browser's cookies. */
  request(): CookieJar & { flush(): void } {
    const requestCookies = new Map(this.cookies);
    this.lastWrites = [];
    this.started();
    return {
      get: (name) => {
        const value = requestCookies.get(name);
        return value === undefined ? undefined : { name, value };
      },
      getAll: () => [...requestCookies].map(([name, value]) => ({ name, value })),
      set: (name, value, options) => {
        this.lastWrites.push({ name, value, options });
        this.written(name, value, options);
        if (options.maxAge === 0) requestCookies.delete(name);
        else requestCookies.set(name, value);
      },
      flush: () => {
        this.flushed();
        for (const write of this.lastWrites) {
          if (write.options.maxAge === 0) this.cookies.delete(write.name);
          else this.cookies.set(write.name, write.value);
        }
      },
    };
  }

  /** Hooks for browsers that also render `Set-Cookie` lines. */
  protected started(): void {}
  protected written(_name: string, _value: string, _options: CookieWriteOptions): void {}
  protected flushed(): void {}
}

/**
 * How a test request signs in: `keepData` as `newSession()` takes it, and
 * the request headers the device facts are read from.
 */
export interface SignInOptions {
  keepData?: boolean;
  headers?: HeadersInit;
  persistent?: boolean;
  maxAge?: number;
}

/**
 * Drives the kit's engine the way the Next glue does, one request at a
 * time, against a {@link CookieBrowser}: no Next server, no `server-only`.
 */
export class KitRunner<Data extends SessionData = SessionData> {
  readonly engine: SessionEngine;
  readonly clock: Clock;
  /** Reasons reported to `onInvalidSession`, in order. */
  readonly invalid: string[] = [];

  constructor(options: Omit<SessionKitOptions, 'now' | 'onInvalidSession'>, clock = new Clock()) {
    this.clock = clock;
    this.engine = new SessionEngine({
      ...options,
      now: clock.now,
      onInvalidSession: (reason) => this.invalid.push(reason),
    });
  }

  /** Runs one request: `fn` gets the loaded session (and a way to start a new one). */
  async request<T>(
    browser: Pick<CookieBrowser, 'request'>,
    fn: (
      session: Session<Data>,
      helpers: { newSession(userId?: string, options?: SignInOptions): Session<Data> },
    ) => Promise<T> | T,
    secure = false,
  ): Promise<T> {
    const jar = browser.request();
    const commit = (s: SessionCore) => this.engine.commit(s, jar, secure);
    const session = await this.engine.load(jar, commit, secure);
    const result = await fn(asSession<Data>(session), {
      newSession: (userId, options) => {
        const device = deviceFacts(this.engine.options.devices, new Headers(options?.headers));
        const own = options === undefined ? undefined : this.engine.lifetime.own(options);
        const signIn = { userId, keepData: options?.keepData === true, device, own };
        return asSession<Data>(replaceSession(this.engine, session, commit, signIn));
      },
    });
    jar.flush();
    return result;
  }
}
