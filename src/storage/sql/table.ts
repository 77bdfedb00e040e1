import { SessionConfigError } from '../../errors.ts';

/**
 * A session table's name, checked once, and the names derived from it.
 *
 * @example
 * ```ts
 * const table: SqlTable = { name: 'next_sessions', local: 'next_sessions', schema: undefined };
 * ```
 */
export interface SqlTable {
  /** As written in queries: `next_sessions` or `app.next_sessions`. */
  readonly name: string;
  /** Without its schema: index names start with it. */
  readonly local: string;
  /** The schema (PostgreSQL) or attached database (SQLite), when given. */
  readonly schema: string | undefined;
}

/**
 * The options both SQL storages take besides the store options.
 *
 * @example
 * ```ts
 * const options: SqlTableOptions = { table: 'app_sessions', createTable: false };
 * ```
 */
export interface SqlTableOptions {
  /**
   * The table sessions live in, optionally schema-qualified (`app.sessions`):
   * lowercase letters, digits and `_`, starting with a letter or `_`, at most
   * 48 characters (so its index names fit PostgreSQL's 63). Default `next_sessions`.
   */
  table?: string;
  /**
   * `true` (default): the first store call creates the table and its indexes
   * if they are missing (`CREATE … IF NOT EXISTS`, once per process). `false`:
   * the table is yours to create, from `npx next-session-kit sql postgres|sqlite`.
   */
  createTable?: boolean;
}

/** The default table name. */
export const DEFAULT_TABLE = 'next_sessions';

const PART = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * Validates `table` and `createTable`; a bad name is refused here, so no
 * query ever carries an identifier that was not checked.
 *
 * @example
 * ```ts
 * const { table, createTable } = resolveSqlTable('postgresStorage', options);
 * ```
 */
export function resolveSqlTable(
  factory: string,
  options: SqlTableOptions,
): { table: SqlTable; createTable: boolean } {
  const { table = DEFAULT_TABLE, createTable = true } = options;
  if (typeof createTable !== 'boolean') {
    throw new SessionConfigError(`${factory}: \`createTable\` must be true (default) or false.`);
  }
  const parts = typeof table === 'string' ? table.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => PART.test(part))) {
    throw new SessionConfigError(
      `${factory}: \`table\` must be a lowercase SQL name such as "next_sessions" or "app.sessions" ` +
        '(letters a-z, digits and _, starting with a letter or _, at most 48 characters per part).',
    );
  }
  const [first, second] = parts as [string, string | undefined];
  return {
    table:
      second === undefined
        ? { name: first, local: first, schema: undefined }
        : { name: table, local: second, schema: first },
    createTable,
  };
}

/**
 * The index names of a session table.
 *
 * @example
 * ```ts
 * indexNames(table).user; // 'next_sessions_user_id_idx'
 * ```
 */
export function indexNames(table: SqlTable): { user: string; expiry: string } {
  return { user: `${table.local}_user_id_idx`, expiry: `${table.local}_expires_at_idx` };
}
