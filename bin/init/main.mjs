// `next-session-kit init`: sets sessions up in an existing Next.js 16 app, as
// the README's quickstart does by hand. It never overwrites a file unasked.
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lineDiff } from './diff.mjs';
import { gitIgnoresEnvLocal } from './env-file.mjs';
import { buildPlan } from './plan.mjs';
import { detectProject, InitError } from './project.mjs';
import { STORAGE_NAMES, STORAGES } from './storages.mjs';

export const INIT_USAGE = `Usage: next-session-kit init [--storage <name>] [--yes] [--dry-run]

Sets up sessions in the Next.js 16 app in this folder, as the README's quickstart
does: lib/session.ts, sign-in and sign-out Server Actions with a login page to
start from (in a Pages Router app: API routes, and a page that reads the session
in getServerSideProps), the guard in proxy.ts, and SESSION_SECRET in .env.local.
TypeScript or JavaScript, app/ or pages/, src/ or not, import aliases: as the app
has them.

Options:
  --storage <name>  where sessions live: ${STORAGE_NAMES.join(', ')} (default: cookie)
  --yes, -y         ask nothing: skip files that exist (never overwrite them) and
                    make only the safe additions to existing ones (.env.local, proxy.ts)
  --dry-run         print everything init would write, and write nothing
  --help, -h        show this help

Without --yes, init asks before it changes any existing file (on a terminal).
`;

/**
 * @typedef {{
 *   out: (text: string) => void,
 *   err: (text: string) => void,
 *   isTTY: boolean,
 *   ask: (question: string) => Promise<string>,
 * }} InitIO
 */

/**
 * Runs `init` in `cwd` with the arguments after `init`; resolves to the exit code.
 *
 * @param {{ cwd: string, argv: string[], io: InitIO }} options
 * @returns {Promise<number>}
 */
export async function runInit({ cwd, argv, io }) {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.err(`next-session-kit init: ${args}\n\n${INIT_USAGE}`);
    return 1;
  }
  if (args.help) {
    io.out(INIT_USAGE);
    return 0;
  }
  let project;
  try {
    project = detectProject(cwd);
  } catch (error) {
    if (!(error instanceof InitError)) throw error;
    io.err(`next-session-kit init: ${error.message}\n`);
    return 1;
  }
  const plan = buildPlan(project, args.storage);
  const say = (text = '') => io.out(`${text}\n`);

  say(`next-session-kit init: ${summary(project, args.storage)}`);
  if (args.dryRun) say('Dry run: nothing is written.');
  say();

  const asking = plan.steps.filter((s) => s.kind === 'overwrite' || s.kind === 'edit' || s.kind === 'append');
  if (!args.dryRun && !args.yes && asking.length > 0 && !io.isTTY) {
    io.err(
      `next-session-kit init: these files exist, and init changes an existing file only when you say so:\n${asking
        .map((s) => `  ${s.path}\n`)
        .join('')}` +
        'Run it in a terminal to be asked, with --yes to skip existing files and make only the safe ' +
        'additions, or with --dry-run to see everything. Nothing was written.\n',
    );
    return 1;
  }

  const root = project.root;
  // What this run wrote (or, in a dry run, would write), for the advice at the end.
  const written = new Set();
  for (const step of plan.steps) {
    if (step.kind === 'keep') {
      status(say, 'keep', step.path, step.reason);
    } else if (step.kind === 'manual') {
      status(say, 'manual', step.path, `${step.reason}: add these lines yourself`);
      say(indent(step.lines));
      say();
    } else if (step.kind === 'create') {
      if (args.dryRun) {
        status(say, 'create', step.path, step.what);
        say(indent(step.shown ?? step.content));
        say();
        written.add(step.path);
        continue;
      }
      const mode = step.mode ?? 0o666;
      if (writeNew(root, step.path, step.content, mode)) {
        status(say, 'create', step.path, step.what);
        written.add(step.path);
      } else status(say, 'skip', step.path, 'it appeared while init ran');
    } else if (step.kind === 'overwrite') {
      if (args.dryRun) {
        status(
          say,
          'exists',
          step.path,
          'init would ask before overwriting it (and skip it with --yes) with:',
        );
        say(indent(step.content));
        say();
        continue;
      }
      if (args.yes) {
        status(say, 'skip', step.path, 'exists; --yes never overwrites');
        continue;
      }
      say(`${step.path} exists. init would write (${step.what}):`);
      say(indent(step.content));
      if (await confirm(io, `Overwrite ${step.path}? [y/N] `, false)) {
        writeFileSync(join(root, step.path), step.content);
        status(say, 'overwrite', step.path, step.what);
        written.add(step.path);
      } else status(say, 'skip', step.path, 'kept as it is');
    } else {
      const change = step.kind === 'edit' ? lineDiff(step.before, step.after) : prefixed(step.shown, '+ ');
      if (args.dryRun) {
        status(say, step.kind === 'edit' ? 'change' : 'add to', step.path, step.what);
        say(indent(change));
        say();
        written.add(step.path);
        continue;
      }
      if (!args.yes) {
        say(`${step.path}: init would ${step.kind === 'edit' ? 'change it' : 'add'} (${step.what}):`);
        say(indent(change));
        if (!(await confirm(io, `Change ${step.path}? [Y/n] `, true))) {
          status(say, 'skip', step.path, 'kept as it is');
          continue;
        }
      }
      // Only onto the file as it was read: never over a change made meanwhile.
      if (readFileSync(join(root, step.path), 'utf8') !== step.before) {
        status(say, 'skip', step.path, 'it changed while init ran');
        continue;
      }
      if (step.kind === 'edit') writeFileSync(join(root, step.path), step.after);
      else appendFileSync(join(root, step.path), step.append);
      written.add(step.path);
      status(say, step.kind === 'edit' ? 'change' : 'add to', step.path, step.what);
    }
  }

  const next = nextSteps(project, plan, args, written);
  if (written.has('.env.local') && gitIgnoresEnvLocal(root) !== true) {
    next.unshift(
      '.env.local is not in .gitignore: add it, so that what it holds stays on this machine (create-next-app ignores .env*).',
    );
  }
  say();
  say(args.dryRun ? 'Then:' : 'Next:');
  for (const line of next) say(`  - ${line}`);
  return 0;
}

/** @returns {{ storage: string, yes: boolean, dryRun: boolean, help: boolean } | string} */
function parseArgs(argv) {
  const args = { storage: 'cookie', yes: false, dryRun: false, help: false };
  let storageSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--yes' || arg === '-y') args.yes = true;
    else if (arg === '--dry-run') args.dryRun = true;
    else if (arg === '--help' || arg === '-h') args.help = true;
    else if (arg === '--storage' || arg.startsWith('--storage=')) {
      const value = arg === '--storage' ? argv[++i] : arg.slice('--storage='.length);
      if (value === undefined || value === '') return '--storage needs a value';
      if (storageSeen) return '--storage given twice';
      if (!Object.hasOwn(STORAGES, value)) {
        return `unknown storage "${printable(value)}" (use one of: ${STORAGE_NAMES.join(', ')})`;
      }
      storageSeen = true;
      args.storage = value;
    } else return `unknown option: ${printable(arg)}`;
  }
  return args;
}

function summary(project, storage) {
  const router =
    project.appRouter && project.pagesRouter
      ? `App Router and Pages Router (${project.base}app/, ${project.base}pages/)`
      : project.appRouter
        ? `App Router (${project.base}app/)`
        : `Pages Router (${project.base}pages/)`;
  const alias = project.aliases[0] ? `imports through ${project.aliases[0].prefix}*` : 'relative imports';
  const next = project.nextVersion ? `Next.js ${project.nextVersion}, ` : '';
  return `${next}${router}, ${project.typescript ? 'TypeScript' : 'JavaScript'}, ${alias}, storage: ${storage} (${STORAGES[storage].summary})`;
}

function nextSteps(project, plan, args, written) {
  const lines = [];
  const packages = [...(project.kitInstalled ? [] : ['next-session-kit']), ...plan.packages];
  const pm = project.packageManager;
  if (packages.length > 0) lines.push(`Install: ${installCommand(pm, packages, false)}`);
  if (plan.typePackages.length > 0) lines.push(`Install: ${installCommand(pm, plan.typePackages, true)}`);
  lines.push(...plan.notes);
  const actions = plan.steps.find(
    (s) => /(app\/login\/actions|pages\/api\/login)\.[jt]s$/.test(s.path) && written.has(s.path),
  );
  if (actions !== undefined) {
    lines.push(
      `${actions.path} signs in ANY name, with no password: put your credential check in verifyUser() before you deploy.`,
    );
  }
  const proxy = plan.steps.find((s) => /(^|\/)proxy\.[jt]sx?$/.test(s.path) && written.has(s.path));
  if (proxy !== undefined) {
    lines.push(
      `Protected paths: \`protect\` in ${proxy.path} (now /dashboard). A proxy is not a security boundary on its own: pages still check getSession().`,
    );
  }
  const run = pm === 'npm' ? 'npm run dev' : `${pm} dev`;
  lines.push(`Try it: ${run}, then open http://localhost:3000/login`);
  if (args.dryRun) lines.push('Run it without --dry-run to write the files.');
  return lines;
}

/** The command that adds packages with the app's package manager. */
export function installCommand(pm, packages, dev) {
  const add = pm === 'npm' ? 'npm install' : `${pm} add`;
  const flag = dev ? (pm === 'bun' ? ' -d' : ' -D') : '';
  return `${add}${flag} ${packages.join(' ')}`;
}

/** Creates the file (and its folders); false when it exists already: never overwrites. */
function writeNew(root, path, content, mode) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  try {
    writeFileSync(file, content, { flag: 'wx', mode });
    return true;
  } catch (error) {
    if (error?.code === 'EEXIST') return false;
    throw error;
  }
}

async function confirm(io, question, byDefault) {
  const answer = (await io.ask(question)).trim().toLowerCase();
  if (answer === '') return byDefault;
  return answer === 'y' || answer === 'yes';
}

function status(say, verb, path, detail) {
  say(`  ${verb.padEnd(10)}${path}${detail ? `  (${detail})` : ''}`);
}

/** Indented under its status line, still ready to copy. */
function indent(text) {
  return text.replace(/\n$/, '').replace(/^(?=.)/gm, '    ');
}

function prefixed(text, prefix) {
  return text.replace(/\n$/, '').replace(/^/gm, prefix);
}

function printable(value) {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}
