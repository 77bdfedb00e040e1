import { SessionEngine } from '../engine.ts';
import type { SessionKitOptions } from '../options.ts';
import type { Session, SessionImpl } from '../session.ts';
import type { SessionData } from '../types.ts';
import type { TestBrowser } from './browser.ts';

/** A controllable clock in Unix ms. */
export class Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}
  now = (): number => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/**
 * Drives a `SessionEngine` the way the Next glue does, one request at a time,
 * against a {@link TestBrowser}.
 */
export class Harness<Data extends SessionData = SessionData> {
  readonly engine: SessionEngine;
  readonly clock: Clock;
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
    browser: TestBrowser,
    fn: (session: Session<Data>, helpers: { newSession(userId?: string): Session<Data> }) => Promise<T> | T,
    secure = false,
  ): Promise<T> {
    const jar = browser.request();
    const commit = (s: SessionImpl) => this.engine.commit(s, jar, secure);
    const session = await this.engine.load<Data>(jar, commit, secure);
    const result = await fn(session, {
      newSession: (userId) => this.engine.replace<Data>(session as unknown as SessionImpl, commit, userId),
    });
    jar.flush();
    return result;
  }
}
