// Types of sql.mjs, for the TypeScript test beside it (the package ships only the .mjs files).

export declare const SQL_USAGE: string;

export interface SqlTableName {
  name: string;
  local: string;
  schema: string | undefined;
}

/** The table's name parts, or undefined when the name is not one the storages accept. */
export declare function parseTable(name: string): SqlTableName | undefined;

/** The statements, each without its trailing `;`. */
export declare function tableSql(dialect: 'postgres' | 'sqlite', table: SqlTableName): string[];

/** Runs `sql` with the arguments after it; returns the exit code. */
export declare function runSql(
  argv: string[],
  io: { out(text: string): void; err(text: string): void },
): number;
