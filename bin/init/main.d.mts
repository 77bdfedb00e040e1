// Types of main.mjs, for the TypeScript tests beside it (the package ships only the .mjs files).

/** Where `init` writes and asks; the command line passes the terminal. */
export interface InitIO {
  out(text: string): void;
  err(text: string): void;
  /** Whether someone can answer questions (stdin and stdout are a terminal). */
  isTTY: boolean;
  ask(question: string): Promise<string>;
}

/** `next-session-kit init --help`. */
export declare const INIT_USAGE: string;

/** Runs `init` in `cwd` with the arguments after `init`; resolves to the exit code. */
export declare function runInit(options: { cwd: string; argv: string[]; io: InitIO }): Promise<number>;

/** The command that adds packages with the app's package manager. */
export declare function installCommand(
  pm: 'npm' | 'pnpm' | 'yarn' | 'bun',
  packages: string[],
  dev: boolean,
): string;
