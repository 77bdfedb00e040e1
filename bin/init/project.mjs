// What `init` needs to know about the app it runs in: Next's version, the
// router, TypeScript or JavaScript, src/ or not, import aliases, the package
// manager, and which of the files it would write already exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, parse, posix, relative, resolve, sep } from 'node:path';
import { parseJsonc } from './jsonc.mjs';

/** A problem that stops `init` before it writes anything; the message says how to fix it. */
export class InitError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'InitError';
  }
}

/** Extensions Next accepts for pages and for proxy.ts (its default `pageExtensions`). */
export const SCRIPT_EXTENSIONS = ['tsx', 'ts', 'jsx', 'js'];

/**
 * @typedef {{ prefix: string, dir: string }} Alias  an import alias such as `@/` for `<root>/src`
 * @typedef {{
 *   root: string,
 *   nextVersion: string | undefined,
 *   base: '' | 'src/',
 *   appRouter: boolean,
 *   pagesRouter: boolean,
 *   typescript: boolean,
 *   aliases: Alias[],
 *   packageManager: 'npm' | 'pnpm' | 'yarn' | 'bun',
 *   kitInstalled: boolean,
 * }} Project
 */

/**
 * Reads the app in `root`. Throws InitError when it is no Next.js 16 app.
 *
 * @param {string} root
 * @returns {Project}
 */
export function detectProject(root) {
  const pkg = readJson(join(root, 'package.json'));
  if (!isRecord(pkg)) throw new InitError(notAnApp(root, 'There is no package.json here.'));
  const deps = {
    ...record(pkg.peerDependencies),
    ...record(pkg.devDependencies),
    ...record(pkg.dependencies),
  };
  if (typeof deps.next !== 'string') {
    throw new InitError(notAnApp(root, 'Its package.json does not list "next" in its dependencies.'));
  }
  const nextVersion = installedVersion(root, 'next');
  const major = majorOf(nextVersion ?? deps.next);
  if (major !== undefined && major < 16) {
    throw new InitError(
      `This app uses Next.js ${nextVersion ?? deps.next}; next-session-kit needs Next.js 16 or later ` +
        '(its proxy.ts and Server Actions). Upgrade first: npx @next/codemod@canary upgrade latest',
    );
  }

  const atRoot = isDir(join(root, 'app')) || isDir(join(root, 'pages'));
  // Like Next: src/app and src/pages count only when app/ and pages/ do not exist.
  const base = atRoot ? '' : 'src/';
  const appRouter = isDir(join(root, base, 'app'));
  const pagesRouter = isDir(join(root, base, 'pages'));
  if (!appRouter && !pagesRouter) {
    throw new InitError(
      `${root} has no app/ or pages/ directory (nor src/app or src/pages), so init cannot tell which router ` +
        'the app uses. Run it in the folder of your Next.js app, once it has its first page.',
    );
  }
  const typescript = existsSync(join(root, 'tsconfig.json'));
  return {
    root,
    nextVersion,
    base,
    appRouter,
    pagesRouter,
    typescript,
    aliases: readAliases(join(root, typescript ? 'tsconfig.json' : 'jsconfig.json')),
    packageManager: detectPackageManager(root, pkg),
    kitInstalled: typeof deps['next-session-kit'] === 'string',
  };
}

function notAnApp(root, why) {
  const parent = nearestNextApp(dirname(root));
  const hint = parent
    ? ` The Next.js app above this folder is in ${parent}: run init there.`
    : ' Run it in the folder of your Next.js 16 app (where its package.json is).';
  return `${root} is not the root of a Next.js app. ${why}${hint}`;
}

function nearestNextApp(dir) {
  for (let d = dir; ; d = dirname(d)) {
    const pkg = readJson(join(d, 'package.json'));
    if (isRecord(pkg) && ('next' in record(pkg.dependencies) || 'next' in record(pkg.devDependencies)))
      return d;
    if (dirname(d) === d) return undefined;
  }
}

/** The version of `name` installed for `root` (searched upwards, as Node resolves it). */
function installedVersion(root, name) {
  for (let d = root; ; d = dirname(d)) {
    const pkg = readJson(join(d, 'node_modules', name, 'package.json'));
    if (isRecord(pkg) && typeof pkg.version === 'string') return pkg.version;
    if (dirname(d) === d) return undefined;
  }
}

/** `16` from "16.4.6", "^16.0.0" or ">=16"; undefined for "latest", "canary", a URL… */
function majorOf(version) {
  const match = /^\s*(?:[\^~]|>=?)?\s*v?(\d+)(?:[.\s]|$)/.exec(version);
  return match ? Number(match[1]) : undefined;
}

function detectPackageManager(root, pkg) {
  const lockfiles = [
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lock', 'bun'],
    ['bun.lockb', 'bun'],
    ['package-lock.json', 'npm'],
    ['npm-shrinkwrap.json', 'npm'],
  ];
  // Upwards too: in a workspace the lockfile sits at its root.
  for (let d = root; ; d = dirname(d)) {
    for (const [file, manager] of lockfiles) if (existsSync(join(d, file))) return manager;
    if (dirname(d) === d) break;
  }
  const declared = typeof pkg.packageManager === 'string' ? pkg.packageManager.split('@')[0] : '';
  return declared === 'pnpm' || declared === 'yarn' || declared === 'bun' ? declared : 'npm';
}

/**
 * The `paths` aliases of a tsconfig/jsconfig that map a prefix onto a folder
 * (`"@/*": ["./src/*"]`), following relative `extends`. `@/` comes first.
 *
 * @returns {Alias[]}
 */
function readAliases(configFile) {
  let paths;
  let pathsDir;
  let baseUrl;
  let baseUrlDir;
  let file = configFile;
  for (let depth = 0; depth < 8 && file !== undefined; depth++) {
    const config = readJsonc(file);
    if (!isRecord(config)) break;
    const options = record(config.compilerOptions);
    if (paths === undefined && isRecord(options.paths)) {
      paths = options.paths;
      pathsDir = dirname(file);
    }
    if (baseUrl === undefined && typeof options.baseUrl === 'string') {
      baseUrl = options.baseUrl;
      baseUrlDir = dirname(file);
    }
    file = relativeExtends(file, config.extends);
  }
  if (paths === undefined) return [];
  const from = baseUrl !== undefined ? resolve(baseUrlDir, baseUrl) : pathsDir;
  const aliases = [];
  for (const [key, targets] of Object.entries(paths)) {
    const target = Array.isArray(targets) ? targets[0] : undefined;
    if (!key.endsWith('/*') || key.length < 3 || typeof target !== 'string' || !target.endsWith('*'))
      continue;
    const folder = target.slice(0, -1);
    if (folder !== '' && !folder.endsWith('/')) continue;
    aliases.push({ prefix: key.slice(0, -1), dir: resolve(from, folder || '.') });
  }
  return aliases.sort((a, b) => Number(b.prefix === '@/') - Number(a.prefix === '@/'));
}

function relativeExtends(file, value) {
  const first = Array.isArray(value) ? value[value.length - 1] : value;
  if (typeof first !== 'string' || !first.startsWith('.')) return undefined;
  const target = resolve(dirname(file), first);
  return target.endsWith('.json') ? target : `${target}.json`;
}

/**
 * How `fromFile` imports `toModule` (both relative to the root, `toModule`
 * without extension): through an alias when one covers it, else relatively.
 *
 * @param {Project} project
 * @param {string} fromFile
 * @param {string} toModule
 */
export function importSpecifier(project, fromFile, toModule) {
  const target = join(project.root, toModule);
  for (const alias of project.aliases) {
    const inside = relative(alias.dir, target);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) {
      return alias.prefix + inside.split(sep).join('/');
    }
  }
  const rel = posix.relative(posix.dirname(fromFile), toModule);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/**
 * The first existing file `<path>.<ext>` (relative to the root) among the
 * script extensions, or undefined.
 *
 * @param {string} root
 * @param {string} pathWithoutExtension
 */
export function existingScript(root, pathWithoutExtension) {
  for (const ext of [...SCRIPT_EXTENSIONS, 'mts', 'mjs', 'cts', 'cjs']) {
    const file = `${pathWithoutExtension}.${ext}`;
    if (isFile(join(root, file))) return file;
  }
  return undefined;
}

/**
 * Where a page for `route` (like "/login") already exists, in the App Router
 * (route groups and parallel-route slots included) or the Pages Router.
 *
 * @param {Project} project
 * @param {string} route
 */
export function existingRoute(project, route) {
  const segments = route.split('/').filter(Boolean);
  const appDir = join(project.root, project.base, 'app');
  if (project.appRouter) {
    const found = findAppPage(appDir, segments, 0);
    if (found) return relative(project.root, found).split(sep).join('/');
  }
  if (project.pagesRouter) {
    const pages = `${project.base}pages/${segments.join('/')}`;
    return existingScript(project.root, pages) ?? existingScript(project.root, `${pages}/index`);
  }
  return undefined;
}

function findAppPage(dir, segments, depth) {
  if (depth > 12) return undefined;
  if (segments.length === 0) {
    const page = SCRIPT_EXTENSIONS.map((ext) => join(dir, `page.${ext}`)).find(isFile);
    if (page) return page;
  }
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const name = entry.name;
    const transparent = (name.startsWith('(') && name.endsWith(')')) || name.startsWith('@');
    let found;
    if (transparent) found = findAppPage(join(dir, name), segments, depth + 1);
    else if (segments.length > 0 && name === segments[0]) {
      found = findAppPage(join(dir, name), segments.slice(1), depth + 1);
    }
    if (found) return found;
  }
  return undefined;
}

/**
 * The app's own TypeScript compiler, to parse an existing proxy.ts exactly
 * (init ships no parser of its own); undefined when the app has none.
 *
 * @param {string} root
 * @returns {typeof import('typescript') | undefined}
 */
export function loadTypeScript(root) {
  try {
    return createRequire(join(root, 'package.json'))('typescript');
  } catch {
    return undefined;
  }
}

/** @param {string} file */
export function readText(file) {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson(file) {
  const text = readText(file);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function readJsonc(file) {
  const text = readText(file);
  return text === undefined ? undefined : parseJsonc(text);
}

function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value) {
  return isRecord(value) ? value : {};
}

/** @param {string} path */
export function isDir(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** @param {string} path */
export function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** "lib/session.ts" → "lib/session". */
export function withoutExtension(file) {
  const { dir, name } = parse(file);
  return dir ? `${dir}/${name}` : name;
}
