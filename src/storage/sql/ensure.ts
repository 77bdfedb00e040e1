/**
 * Runs `fn` before the first query, once it succeeds: callers share a pending
 * run, and a failed run (the database was down) is tried again by the next
 * caller instead of being remembered. Once done, `before()` costs nothing,
 * not even a promise.
 *
 * @example
 * ```ts
 * const table = new Setup(() => createTable());
 * const rows = await table.before(() => query(statement, values));
 * ```
 */
export class Setup {
  #done: boolean;
  #pending: Promise<void> | undefined;
  readonly #fn: () => Promise<void>;

  /** `fn` undefined: nothing to set up. */
  constructor(fn: (() => Promise<void>) | undefined) {
    this.#fn = fn ?? (async () => {});
    this.#done = fn === undefined;
  }

  /** `next()`, after the setup has succeeded once. */
  before<T>(next: () => Promise<T>): Promise<T> {
    if (this.#done) return next();
    this.#pending ??= this.#fn().then(
      () => {
        this.#done = true;
      },
      (error: unknown) => {
        this.#pending = undefined;
        throw error;
      },
    );
    return this.#pending.then(next);
  }
}
