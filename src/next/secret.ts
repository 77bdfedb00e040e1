import type * as NodeFs from 'node:fs';
import type * as NodePath from 'node:path';
import { isNextBuildPhase } from '../build-phase.ts';
import { base64urlEncode } from '../codec/base64url.ts';
import { SECRET_ADVICE, secretProblem } from '../codec/secret-strength.ts';
import { SessionConfigError } from '../errors.ts';
import { printable } from '../printable.ts';

/**
 * Options of {@link sessionSecret}.
 *
 * @example
 * ```ts
 * sessionSecret({ env: 'APP_SESSION_SECRET', devFile: '.secrets/session-dev' });
 * ```
 */
export interface SessionSecretOptions {
  /** Environment variable holding the secret (or `new,old` for rotation). Default `SESSION_SECRET`. */
  env?: string;
  /**
   * Where development keeps its generated key, relative to the working
   * directory (the project root under `next dev`). Default
   * `.next-session-kit/dev-secret`; its folder gets a `.gitignore` of its own.
   */
  devFile?: string;
}

const DEFAULT_DEV_FILE = '.next-session-kit/dev-secret';
// Only these get a generated key: `next dev` sets development, test runners
// set test. Anything else (`next start` sets production; staging, a typo,
// unset under a custom server) could be serving real users.
const GENERATES_KEY = new Set(['development', 'test']);
const WARNED = Symbol.for('next-session-kit.dev-secret-warned');
const EPHEMERAL = Symbol.for('next-session-kit.ephemeral-secret');

/**
 * The session secret for `encryptedCookieStorage({ secret })`, from the
 * environment: `SESSION_SECRET=<secret>`, or `<new>,<old>` for key rotation
 * (the first seals, all open).
 *
 * Each secret must pass the same checks as `encryptedCookieStorage` (at
 * least 32 characters that can hold 128 bits); a weak one throws
 * `SessionConfigError` naming the variable, never the secret.
 *
 * Without it:
 * - **`NODE_ENV=development` or `test`** only (`next dev` sets development):
 *   a key generated once and kept in `.next-session-kit/dev-secret` (mode
 *   0600, git-ignored), so restarting `next dev` keeps everyone signed in; a
 *   warning per process. A key file that other users can read or change
 *   (any group or other permission bit) is refused: `chmod 600` it or
 *   delete it.
 * - **any other `NODE_ENV`** (production, which `next start` sets, but also
 *   staging, `Production`, empty or unset): throws `SessionConfigError`
 *   saying how to make one. While `next build` collects page data it does
 *   not throw (build machines rarely hold secrets): the build gets a
 *   throwaway key, the server still refuses.
 *
 * @example
 * ```ts
 * import { createSessionKit, encryptedCookieStorage, sessionSecret } from 'next-session-kit';
 * export const { getSession } = createSessionKit({
 *   storage: encryptedCookieStorage({ secret: sessionSecret() }),
 * });
 * ```
 */
export function sessionSecret(options: SessionSecretOptions = {}): string | string[] {
  const name = options.env ?? 'SESSION_SECRET';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new SessionConfigError('`env` must be the name of an environment variable, e.g. "SESSION_SECRET".');
  }
  const env = typeof process === 'undefined' ? undefined : process.env;
  const secrets = (env?.[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (secrets.length > 0) {
    // During `next build` the storage defers its own refusal to the server.
    if (!isNextBuildPhase()) checkSecrets(name, secrets);
    return secrets.length === 1 ? (secrets[0] as string) : secrets;
  }
  if (isNextBuildPhase()) return throwaway();
  const nodeEnv = env?.NODE_ENV;
  if (nodeEnv === undefined || !GENERATES_KEY.has(nodeEnv)) {
    throw new SessionConfigError(
      `${name} is not set. Only NODE_ENV=development or test use a generated key (NODE_ENV is ` +
        `${describeNodeEnv(nodeEnv)}); anywhere else the session secret must come from the environment. ` +
        `Generate one with \`npx next-session-kit secret\` and set ${name}=<secret> in your host's environment ` +
        `(or in .env.production.local / .env.local on the server); for key rotation, ${name}=<new>,<old>.`,
    );
  }
  return devSecret(name, options.devFile ?? DEFAULT_DEV_FILE);
}

function checkSecrets(name: string, secrets: readonly string[]): void {
  secrets.forEach((secret, index) => {
    const problem = secretProblem(secret);
    if (problem === undefined) return;
    const where = secrets.length === 1 ? name : `${name} (entry ${index + 1} of ${secrets.length})`;
    throw new SessionConfigError(`${where} ${problem} ${SECRET_ADVICE}`);
  });
}

function describeNodeEnv(value: string | undefined): string {
  if (value === undefined) return 'unset';
  return JSON.stringify(printable(value));
}

// `next build` without the secret: a random key only this build process
// uses; nothing sealed with it outlives the build.
function throwaway(): string {
  const slot = globalThis as { [EPHEMERAL]?: string };
  slot[EPHEMERAL] ??= randomKey();
  return slot[EPHEMERAL];
}

function devSecret(name: string, devFile: string): string {
  const node = loadFs();
  if (node === undefined) {
    warnOnce(
      `${name} is not set and this runtime has no file system: using a random development key that ` +
        `changes on every restart. Set ${name} (\`npx next-session-kit secret\`).`,
    );
    return throwaway();
  }
  const { fs, path } = node;
  const file = path.resolve(process.cwd(), devFile);
  let secret = readKey(fs, file, devFile);
  if (secret === undefined) {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const ignore = path.join(dir, '.gitignore');
    if (!fs.existsSync(ignore))
      fs.writeFileSync(ignore, '# next-session-kit development key: never commit it\n*\n');
    try {
      // `wx`: several workers of one dev server may race here; one writes,
      // the others read what it wrote.
      fs.writeFileSync(file, `${randomKey()}\n`, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
    }
    secret = readKey(fs, file, devFile);
  }
  if (secret === undefined || secretProblem(secret) !== undefined) {
    throw new SessionConfigError(
      `The development key in ${devFile} is not a valid secret. Delete the file to generate a new one ` +
        `(everyone is signed out), or set ${name}.`,
    );
  }
  warnOnce(
    `${name} is not set, so sessions are sealed with a development key kept in ${devFile} (git-ignored; ` +
      'it survives restarts, delete it to sign everyone out). Production refuses to start without ' +
      `${name}: generate one with \`npx next-session-kit secret\`.`,
  );
  return secret;
}

function readKey(fs: typeof NodeFs, file: string, devFile: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    // Checked on the open file, so it cannot be swapped between check and read.
    // Windows has no such permission bits.
    const mode = fs.fstatSync(fd).mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      throw new SessionConfigError(
        `The development key in ${devFile} can be read or changed by other users of this machine (mode ` +
          `0${mode.toString(8)}). Run \`chmod 600 ${devFile}\` if only you ever had access to it, or delete it ` +
          'to generate a new one (everyone is signed out).',
      );
    }
    return fs.readFileSync(fd, 'utf8').trim();
  } finally {
    fs.closeSync(fd);
  }
}

// Once per process, even when Next evaluates lib/session.ts in several bundles.
function warnOnce(message: string): void {
  const flags = globalThis as { [WARNED]?: boolean };
  if (flags[WARNED]) return;
  flags[WARNED] = true;
  console.warn(`next-session-kit: ${message}`);
}

function randomKey(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return base64urlEncode(bytes);
}

// Reached through process.getBuiltinModule, not a static import, so edge
// bundles of the package never see a Node built-in.
function loadFs(): { fs: typeof NodeFs; path: typeof NodePath } | undefined {
  const loader = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  if (typeof loader?.getBuiltinModule !== 'function') return undefined;
  const fs = loader.getBuiltinModule('node:fs') as typeof NodeFs | undefined;
  const path = loader.getBuiltinModule('node:path') as typeof NodePath | undefined;
  return fs === undefined || path === undefined ? undefined : { fs, path };
}
