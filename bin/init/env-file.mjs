// .env.local: the variables a storage needs, added only where no .env file
// of the app sets them yet. An existing value is never replaced.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readText } from './project.mjs';

/** The files Next loads variables from, for `next dev` and `next start`. */
const ENV_FILES = [
  '.env.local',
  '.env',
  '.env.development.local',
  '.env.development',
  '.env.production.local',
  '.env.production',
];

/** A new random secret, as `npx next-session-kit secret` prints it: 32 bytes, base64url. */
export function newSecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * @typedef {{
 *   path: '.env.local',
 *   before: string | undefined,
 *   append: string,
 *   shown: string,
 *   added: string[],
 *   kept: Array<{ name: string, file: string }>,
 * }} EnvPlan
 *   `append`: the text to add (with the secret), `shown`: the same with the
 *   secret masked (for the terminal); `before`: .env.local as it is, or
 *   undefined when it does not exist.
 */

/**
 * @param {string} root
 * @param {import('./storages.mjs').EnvVariable[]} variables
 * @returns {EnvPlan}
 */
export function planEnv(root, variables) {
  const before = readText(join(root, '.env.local'));
  const kept = [];
  const added = [];
  let append = '';
  let shown = '';
  for (const variable of variables) {
    const file = ENV_FILES.find((f) => defines(readText(join(root, f)), variable.name));
    if (file !== undefined) {
      kept.push({ name: variable.name, file });
      continue;
    }
    const secret = typeof variable.value !== 'string';
    const value = secret ? newSecret() : variable.value;
    const masked = secret ? '<a new random secret, 43 characters>' : value;
    append += `${variable.comment}\n${variable.name}=${value}\n`;
    shown += `${variable.comment}\n${variable.name}=${masked}\n`;
    added.push(variable.name);
  }
  const eol = before?.includes('\r\n') ? '\r\n' : '\n';
  // Onto a line of its own, one blank line after what is there.
  const gap = before === undefined || before === '' ? '' : before.endsWith('\n') ? eol : eol + eol;
  return {
    path: '.env.local',
    before,
    append: append === '' ? '' : gap + append.replaceAll('\n', eol),
    shown: append === '' ? '' : shown,
    added,
    kept,
  };
}

/** Whether a dotenv text sets `name` (even to an empty value). */
function defines(text, name) {
  if (text === undefined) return false;
  return new RegExp(`^[ \\t]*(?:export[ \\t]+)?${name}[ \\t]*=`, 'm').test(text);
}

/**
 * Whether the app's .gitignore keeps .env.local out of git (last matching
 * line wins, as in git); undefined when the app has no .gitignore.
 *
 * @param {string} root
 */
export function gitIgnoresEnvLocal(root) {
  const text = readText(join(root, '.gitignore'));
  if (text === undefined) return undefined;
  let ignored = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\//, '').replace(/\/$/, '');
    if (pattern.includes('/')) continue;
    const regex = new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    );
    if (regex.test('.env.local')) ignored = !negated;
  }
  return ignored;
}
