/**
 * What the kit uses of a node-postgres (`pg`) `Pool` or `Client`: `query()`
 * with a config object. Declared here rather than imported, so the types of
 * `next-session-kit/postgres` need neither `pg` nor `@types/pg`.
 *
 * @example
 * ```ts
 * const client: PgQueryable = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export interface PgQueryable {
  query(config: { name?: string; text: string; values?: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * What the kit uses of a postgres.js `sql` instance: `sql.unsafe()`.
 *
 * @example
 * ```ts
 * const client: PostgresJsSql = postgres(process.env.DATABASE_URL!);
 * ```
 */
export interface PostgresJsSql {
  unsafe(query: string, parameters?: unknown[], options?: { prepare?: boolean }): PromiseLike<unknown>;
}

/**
 * A statement the kit runs: its text, and a name derived from it (node-postgres
 * prepares a named statement once per connection; postgres.js names its own).
 *
 * @example
 * ```ts
 * const get: PgStatement = statement('get', 'SELECT … WHERE token_hash = $1');
 * ```
 */
export interface PgStatement {
  readonly name: string;
  readonly text: string;
}

/** Runs a statement with its parameters; resolves to the rows. */
export type PgRun = (statement: PgStatement, values: unknown[]) => Promise<readonly PgRow[]>;

/** A row as the kit's statements return it: short column aliases. */
export type PgRow = Readonly<Record<string, unknown>>;

/**
 * A statement named after its text, so two tables (or two versions of the
 * kit) on one connection never share a prepared statement.
 *
 * @example
 * ```ts
 * const get = statement('get', `SELECT … FROM ${table.name} WHERE token_hash = $1`);
 * ```
 */
export function statement(operation: string, text: string): PgStatement {
  // FNV-1a, twice with different offsets: a name, not a secret.
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return { name: `nsk_${operation}_${a.toString(36)}${b.toString(36)}`, text };
}

/**
 * The runner for a client, or `undefined` when `client` is neither a
 * node-postgres `Pool`/`Client` nor a postgres.js `sql` instance.
 *
 * @example
 * ```ts
 * const run = pgRunner(pool);
 * const rows = await run?.(get, [key, Date.now()]);
 * ```
 */
export function pgRunner(client: unknown): PgRun | undefined {
  // postgres.js: `sql` is a function (a tagged template) with methods.
  if (typeof client === 'function' && typeof (client as Partial<PostgresJsSql>).unsafe === 'function') {
    const sql = client as unknown as PostgresJsSql;
    // `prepare: true` asks for a prepared statement; a `sql` created with
    // `prepare: false` (PgBouncer in transaction mode) still prepares none.
    const options = { prepare: true };
    return (st, values) => Promise.resolve(sql.unsafe(st.text, values, options)) as Promise<PgRow[]>;
  }
  if (typeof client === 'object' && client !== null && typeof (client as PgQueryable).query === 'function') {
    const pg = client as PgQueryable;
    const send = (st: PgStatement, values: unknown[]) =>
      pg.query({ name: st.name, text: st.text, values }).then(rowsOf);
    // A Pool (it counts its clients) runs queries side by side. A lone Client
    // runs one at a time, and node-postgres deprecates queueing on it
    // (pg 9 drops it): queue here instead, in call order.
    if (typeof (client as { totalCount?: unknown }).totalCount === 'number') return send;
    let tail: Promise<unknown> = Promise.resolve();
    return (st, values) => {
      const result = tail.then(() => send(st, values));
      tail = result.catch(() => {});
      return result;
    };
  }
  return undefined;
}

const rowsOf = (result: { rows: unknown[] }): PgRow[] => result.rows as PgRow[];
