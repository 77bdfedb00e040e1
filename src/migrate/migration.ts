import { markMigrated, startState } from '../engine/sessions.ts';
import type { SessionEngine } from '../engine.ts';
import { checkData, needsDataCheck } from '../schema/data-check.ts';
import type { Committer, SessionImpl } from '../session.ts';
import type { CookieJar } from '../types.ts';
import type { MigrationRead, MigrationRequest, MigrationSource } from './types.ts';

/**
 * The kit's side of `migrateFrom`. The engine asks it only when the request
 * carries no cookie of the kit's own (a kit cookie, even a rejected one,
 * always decides), and tells it whenever it writes its cookie, so the old
 * cookies go in the same response.
 *
 * @internal
 */
export class Migration {
  readonly #engine: SessionEngine;
  readonly #sources: readonly MigrationSource[];

  constructor(engine: SessionEngine, sources: readonly MigrationSource[]) {
    this.#engine = engine;
    this.#sources = sources;
  }

  /**
   * The session for a request without a kit cookie: the first source whose
   * cookie the request carries decides. A valid one gives a session that is
   * not new, holds the old data and user, and is written whole (kit cookie
   * or store record) by the first save; until then every request reads the
   * old cookie again, so server components see the user without any write.
   * A refused one gives a fresh session and one report naming the source.
   */
  async load(
    jar: CookieJar,
    commit: Committer,
    secure: boolean,
    peek: boolean,
    cookieNames: string[],
  ): Promise<SessionImpl> {
    const engine = this.#engine;
    const request: MigrationRequest = { secure, now: engine.options.now() };
    for (const source of this.#sources) {
      const read = await readSafely(source, jar, request);
      if (read.status === 'absent') continue;
      if (read.status === 'rejected')
        return engine.reject(read.reason, commit, cookieNames, peek, source.name);
      const state = startState(engine);
      // A copy: `set()` must never reach into an object the app's `map` returned.
      state.data = { ...read.data };
      if (read.userId !== undefined) state.userId = read.userId;
      if (needsDataCheck(engine.options.data, state)) {
        const checked = await checkData(engine.options.data, state);
        if (!checked.ok) return engine.reject(checked.reason, commit, cookieNames, peek, source.name);
        state.data = checked.data;
      }
      // Nothing to carry over: the old cookie still goes with the next write.
      if (state.userId === undefined && Object.keys(state.data).length === 0) {
        return engine.fresh(commit, cookieNames, true);
      }
      // Not new, bound to `state.userId`, and written whole by the next save.
      const session = engine.session(state, false, commit, cookieNames);
      markMigrated(session, engine.options.data.version);
      return session;
    }
    return engine.fresh(commit, cookieNames, false);
  }

  /** Expires every source's cookies the request carries: the kit's own cookie speaks for the browser now. */
  forget(jar: CookieJar, secure: boolean): void {
    const request: MigrationRequest = { secure, now: this.#engine.options.now() };
    for (const source of this.#sources) source.clear(jar, request);
  }
}

// A source is the app's configuration plus a peer library: whatever goes
// wrong inside one on hostile input is a refused cookie, never a 500.
async function readSafely(
  source: MigrationSource,
  jar: CookieJar,
  request: MigrationRequest,
): Promise<MigrationRead> {
  try {
    return await source.read(jar, request);
  } catch {
    return { status: 'rejected', reason: 'invalid' };
  }
}
