#!/usr/bin/env node
// next-session-kit command line: small helpers for setting up sessions.
import process from 'node:process';
import { newSecret } from './init/env-file.mjs';

const USAGE = `Usage: next-session-kit <command>

Commands:
  init        Set up sessions in this Next.js 16 app: lib/session.ts, login and
              logout Server Actions, the guard in proxy.ts, SESSION_SECRET in
              .env.local (never overwrites a file; see: init --help)
  secret      Print a new random secret (32 bytes, base64url) for SESSION_SECRET
  sql         Print the SQL that creates the session table of postgresStorage()
              or sqliteStorage(), for your migrations (see: sql --help)
  help        Show this help (also --help, -h)

Examples:
  npx next-session-kit init
  echo "SESSION_SECRET=$(npx next-session-kit secret)" >> .env.local
  npx next-session-kit sql postgres > migrations/001_sessions.sql
`;

const [command, ...rest] = process.argv.slice(2);

if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else if (command === 'secret' && rest.length === 0) {
  process.stdout.write(`${newSecret()}\n`);
} else if (command === 'init') {
  const { runInit } = await import('./init/main.mjs');
  process.exitCode = await runInit({ cwd: process.cwd(), argv: rest, io: terminal() });
} else if (command === 'sql') {
  const { runSql } = await import('./sql.mjs');
  process.exitCode = await runSql(rest, terminal());
} else {
  const what = command === 'secret' ? `unexpected argument: ${rest[0]}` : `unknown command: ${command}`;
  process.stderr.write(`next-session-kit: ${what}\n\n${USAGE}`);
  process.exitCode = 1;
}

/** Prompts only where someone can answer them: stdin and stdout both a terminal. */
function terminal() {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    ask: async (question) => {
      const { createInterface } = await import('node:readline/promises');
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}
