// Types of sql.mjs, for the TypeScript test beside it (the package ships only the .mjs files).

export declare const SQL_USAGE: string;

export interface SqlTableName {
  name: string;
  local: string;
  schema: string | undefined;
}

/** The DDL functions `sql` prints from. */
export interface SqlDdl {
  postgresTableSql(table: SqlTableName): string[];
  sqliteTableSql(table: SqlTableName): string[];
  resolveSqlTable(
    factory: string,
    options: { table?: string },
  ): { table: SqlTableName; createTable: boolean };
}

/** The kit's own DDL functions, from the built package beside this bin (dist/storage/sql/). */
export declare function builtDdl(): Promise<SqlDdl>;

/** Runs `sql` with the arguments after it; resolves to the exit code. */
export declare function runSql(
  argv: string[],
  io: { out(text: string): void; err(text: string): void },
  loadDdl?: () => Promise<SqlDdl>,
): Promise<number>;
