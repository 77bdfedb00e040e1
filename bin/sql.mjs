// `next-session-kit sql postgres|sqlite [--table name]`: prints the DDL of the
// session table, for teams that keep schema in their own migrations. The same
// statements as src/storage/sql/ddl.ts (bin/sql.test.ts keeps them equal):
// the command runs from the package without loading the kit.

export const SQL_USAGE = `Usage: next-session-kit sql <postgres|sqlite> [--table <name>]

Prints the CREATE TABLE and CREATE INDEX statements of the session table that
postgresStorage() / sqliteStorage() use, to paste into a migration (Prisma,
Drizzle, plain SQL); then pass createTable: false. Every statement is
idempotent (IF NOT EXISTS).

Options:
  --table <name>   The table, as given to the storage's \`table\` option
                   (default next_sessions; may be schema-qualified: app.sessions)

Examples:
  npx next-session-kit sql postgres > migrations/001_sessions.sql
  npx next-session-kit sql sqlite --table app_sessions
`;

const PART = /^[a-z_][a-z0-9_]{0,47}$/;

/** The table's name parts, or undefined when the name is not one the storages accept. */
export function parseTable(name) {
  const parts = name.split('.');
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => PART.test(part))) return undefined;
  const [first, second] = parts;
  return second === undefined
    ? { name: first, local: first, schema: undefined }
    : { name, local: second, schema: first };
}

/** The statements, each without its trailing `;`. */
export function tableSql(dialect, table) {
  const user = `${table.local}_user_id_idx`;
  const expiry = `${table.local}_expires_at_idx`;
  if (dialect === 'postgres') {
    return [
      `CREATE TABLE IF NOT EXISTS ${table.name} (
  token_hash text COLLATE "C" PRIMARY KEY,
  id text NOT NULL,
  user_id text,
  version integer,
  last_active_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  data jsonb NOT NULL,
  flash jsonb,
  meta text
)`,
      `CREATE INDEX IF NOT EXISTS ${user} ON ${table.name} (user_id) WHERE user_id IS NOT NULL`,
      `CREATE INDEX IF NOT EXISTS ${expiry} ON ${table.name} (expires_at)`,
    ];
  }
  const index = (name) => (table.schema === undefined ? name : `${table.schema}.${name}`);
  return [
    `CREATE TABLE IF NOT EXISTS ${table.name} (
  token_hash TEXT PRIMARY KEY,
  id TEXT NOT NULL,
  user_id TEXT,
  version INTEGER,
  last_active_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  flash TEXT,
  meta TEXT
)`,
    `CREATE INDEX IF NOT EXISTS ${index(user)} ON ${table.local} (user_id) WHERE user_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${index(expiry)} ON ${table.local} (expires_at)`,
  ];
}

/** Runs `sql` with the arguments after it; returns the exit code. */
export function runSql(argv, io) {
  const [dialect, ...rest] = argv;
  if (dialect === '--help' || dialect === '-h') {
    io.out(SQL_USAGE);
    return 0;
  }
  let tableName = 'next_sessions';
  let problem;
  if (dialect !== 'postgres' && dialect !== 'sqlite') {
    problem = dialect === undefined ? 'which database? postgres or sqlite' : `unknown database: ${dialect}`;
  }
  for (let i = 0; problem === undefined && i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--table' && rest[i + 1] !== undefined) tableName = rest[++i];
    else if (arg.startsWith('--table=')) tableName = arg.slice('--table='.length);
    else problem = `unexpected argument: ${arg}`;
  }
  const table = problem === undefined ? parseTable(tableName) : undefined;
  if (problem === undefined && table === undefined) {
    problem =
      `not a table name the storages accept: ${tableName.slice(0, 60)} ` +
      '(lowercase letters, digits and _, starting with a letter or _, at most 48 characters, optionally schema.table)';
  }
  if (problem !== undefined) {
    io.err(`next-session-kit sql: ${problem}\n\n${SQL_USAGE}`);
    return 1;
  }
  const header =
    `-- next-session-kit: the session table of ${dialect === 'postgres' ? 'postgresStorage' : 'sqliteStorage'}()` +
    `${tableName === 'next_sessions' ? '' : ` with { table: '${tableName}' }`}.\n` +
    '-- Tokens are stored as base64url(SHA-256(token)); times are Unix milliseconds.\n';
  io.out(
    `${header}${tableSql(dialect, table)
      .map((statement) => `${statement};\n`)
      .join('')}`,
  );
  return 0;
}
