#!/usr/bin/env node
// next-session-kit command line: small helpers for setting up sessions.
import { randomBytes } from 'node:crypto';
import process from 'node:process';

const USAGE = `Usage: next-session-kit <command>

Commands:
  secret      Print a new random secret (32 bytes, base64url) for SESSION_SECRET
  help        Show this help (also --help, -h)

Example:
  echo "SESSION_SECRET=$(npx next-session-kit secret)" >> .env.local
`;

const [command, ...rest] = process.argv.slice(2);

if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else if (command === 'secret' && rest.length === 0) {
  process.stdout.write(`${randomBytes(32).toString('base64url')}\n`);
} else {
  const what = command === 'secret' ? `unexpected argument: ${rest[0]}` : `unknown command: ${command}`;
  process.stderr.write(`next-session-kit: ${what}\n\n${USAGE}`);
  process.exitCode = 1;
}
