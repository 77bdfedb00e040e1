// `next-session-kit sql postgres|sqlite [--table name]`: prints the DDL of the
// session table, for teams that keep schema in their own migrations: the very
// statements the storages run (src/storage/sql/ddl.ts, as built into dist/),
// so the two cannot drift. It loads only that module and the table-name check.

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

/**
 * The kit's own DDL functions, from the built package beside this bin
 * (dist/storage/sql/): the statements the storages run with createTable: true.
 */
export async function builtDdl() {
  const [ddl, table] = await Promise.all([
    import('../dist/storage/sql/ddl.js'),
    import('../dist/storage/sql/table.js'),
  ]);
  return {
    postgresTableSql: ddl.postgresTableSql,
    sqliteTableSql: ddl.sqliteTableSql,
    resolveSqlTable: table.resolveSqlTable,
  };
}

/**
 * Runs `sql` with the arguments after it; resolves to the exit code.
 * `loadDdl`: where the DDL comes from (the built package; tests pass the sources).
 */
export async function runSql(argv, io, loadDdl = builtDdl) {
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
  if (problem !== undefined) {
    io.err(`next-session-kit sql: ${problem}\n\n${SQL_USAGE}`);
    return 1;
  }
  let ddl;
  try {
    ddl = await loadDdl();
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    io.err(
      'next-session-kit sql: the package is not built (dist/ is missing). ' +
        'In a clone of the repository, run `npm run build` first.\n',
    );
    return 1;
  }
  let table;
  try {
    ({ table } = ddl.resolveSqlTable('next-session-kit sql', { table: tableName }));
  } catch (error) {
    io.err(`${error.message.replace('`table`', '--table')}\n\n${SQL_USAGE}`);
    return 1;
  }
  const statements = dialect === 'postgres' ? ddl.postgresTableSql(table) : ddl.sqliteTableSql(table);
  const header =
    `-- next-session-kit: the session table of ${dialect === 'postgres' ? 'postgresStorage' : 'sqliteStorage'}()` +
    `${tableName === 'next_sessions' ? '' : ` with { table: '${tableName}' }`}.\n` +
    '-- Tokens are stored as base64url(SHA-256(token)); times are Unix milliseconds.\n';
  io.out(`${header}${statements.map((statement) => `${statement};\n`).join('')}`);
  return 0;
}
