// What `init` would do in an app, as a list of steps, before anything is
// written: the dry run prints it, a normal run carries it out.
import { join } from 'node:path';
import { planEnv } from './env-file.mjs';
import { existingRoute, existingScript, importSpecifier, readText, withoutExtension } from './project.mjs';
import { planProxy } from './proxy-file.mjs';
import { STORAGES } from './storages.mjs';
import {
  actionsFile,
  loginPageFile,
  pagesLoginApiFile,
  pagesLoginPageFile,
  pagesLogoutApiFile,
  sessionFile,
} from './templates.mjs';

/**
 * @typedef {{ kind: 'create', path: string, content: string, shown?: string, mode?: number, what: string }
 *   | { kind: 'overwrite', path: string, content: string, what: string }
 *   | { kind: 'edit', path: string, before: string, after: string, what: string }
 *   | { kind: 'append', path: string, before: string, append: string, shown: string, what: string }
 *   | { kind: 'keep', path: string, reason: string }
 *   | { kind: 'manual', path: string, reason: string, lines: string }} Step
 *   - create: a new file; overwrite: the file exists (asked, or skipped with --yes);
 *   - edit / append: a safe addition to an existing file (asked, or done with --yes);
 *   - keep: nothing to do; manual: lines for the developer to add.
 *   `shown` is what the terminal may show instead of `content` (no secret).
 * @typedef {{ steps: Step[], notes: string[], packages: string[], typePackages: string[] }} Plan
 */

/**
 * @param {import('./project.mjs').Project} project
 * @param {string} storageName a key of STORAGES
 * @returns {Plan}
 */
export function buildPlan(project, storageName) {
  const storage = STORAGES[storageName];
  const ts = project.typescript;
  const ext = ts ? 'ts' : 'js';
  const base = project.base;
  const sessionModule = `${base}lib/session`;
  /** @type {Step[]} */
  const steps = [];
  const notes = [];

  const sessionPath = `${sessionModule}.${ext}`;
  steps.push(
    fileStep(
      project,
      sessionPath,
      sessionFile({ ts, storage, storageName, pages: project.pagesRouter }),
      'the session kit, configured once',
    ),
  );
  const keptSession = steps[0].kind === 'keep' || steps[0].kind === 'overwrite';
  const needed = [
    ...(project.appRouter ? ['getSession', 'newSession', 'destroySession'] : []),
    'guard',
    ...(project.pagesRouter ? ['pages'] : []),
  ];
  const session = (from) => importSpecifier(project, from, sessionModule);
  const login = existingRoute(project, '/login');

  if (project.appRouter) {
    const actionsPath = `${base}app/login/actions.${ext}`;
    const pagePath = `${base}app/login/page.${ts ? 'tsx' : 'js'}`;
    steps.push(
      fileStep(
        project,
        actionsPath,
        actionsFile({ ts, session: session(actionsPath) }),
        'sign-in and sign-out Server Actions',
      ),
    );
    if (login !== undefined && withoutExtension(login) !== withoutExtension(pagePath)) {
      steps.push({
        kind: 'keep',
        path: login,
        reason: `the app's /login page: have its form call login() from ${actionsPath}`,
      });
    } else {
      steps.push(
        fileStep(
          project,
          pagePath,
          loginPageFile({ ts, session: session(pagePath) }),
          'a sign-in form to start from',
        ),
      );
    }
    if (project.pagesRouter) {
      notes.push(
        `This app also has ${base}pages/: its getServerSideProps and API routes read the same session through ` +
          `pages(req, res), which ${sessionPath} exports (docs/pages-router.md).`,
      );
    }
  } else {
    // The Pages Router only: the same sign-in, as API routes and a page with getServerSideProps.
    const loginApi = `${base}pages/api/login.${ext}`;
    const logoutApi = `${base}pages/api/logout.${ext}`;
    const pagePath = `${base}pages/login.${ts ? 'tsx' : 'js'}`;
    steps.push(
      fileStep(
        project,
        loginApi,
        pagesLoginApiFile({ ts, session: session(loginApi) }),
        'signs in: the API route the form on /login posts to',
      ),
      fileStep(
        project,
        logoutApi,
        pagesLogoutApiFile({ ts, session: session(logoutApi) }),
        'signs out: an API route',
      ),
    );
    if (login !== undefined && withoutExtension(login) !== withoutExtension(pagePath)) {
      steps.push({
        kind: 'keep',
        path: login,
        reason: `the app's /login page: have its form post to /api/login (${loginApi})`,
      });
    } else {
      steps.push(
        fileStep(
          project,
          pagePath,
          pagesLoginPageFile({ ts, session: session(pagePath) }),
          'a sign-in form to start from, the session read in getServerSideProps',
        ),
      );
    }
  }

  const proxy = planProxy(project, { sessionModule, edge: storage.edge });
  if (proxy.kind === 'create') steps.push({ ...proxy, what: 'the guard, on every request' });
  else if (proxy.kind === 'edit') {
    steps.push({
      kind: 'edit',
      path: proxy.path,
      before: proxy.before,
      after: proxy.after,
      what: 'adds the guard',
    });
  } else if (proxy.kind === 'manual') {
    steps.push({ kind: 'manual', path: proxy.path, reason: proxy.reason, lines: proxy.lines });
  } else steps.push(proxy);
  if (proxy.kind === 'edit' || proxy.kind === 'manual') notes.push(...proxy.notes);

  if (keptSession && needed.length > 0) {
    const text = readText(join(project.root, steps[0].kind === 'keep' ? steps[0].path : sessionPath)) ?? '';
    const missing = needed.filter((name) => !new RegExp(`\\b${name}\\b`).test(text));
    if (missing.length > 0) {
      notes.push(
        `If ${steps[0].path} stays as it is, make it export ${missing.join(', ')}: the files init writes import them from it.`,
      );
    }
  }

  const env = planEnv(project.root, storage.env);
  if (env.added.length > 0) {
    const secret = storage.env.some((v) => env.added.includes(v.name) && typeof v.value !== 'string');
    const what = `${env.added.join(', ')}${secret ? ': a new random secret' : ''}`;
    if (env.before === undefined) {
      steps.push({
        kind: 'create',
        path: env.path,
        content: env.append,
        shown: env.shown,
        mode: 0o600,
        what,
      });
    } else {
      steps.push({
        kind: 'append',
        path: env.path,
        before: env.before,
        append: env.append,
        shown: env.shown,
        what,
      });
    }
  }
  for (const { name, file } of env.kept) {
    steps.push({ kind: 'keep', path: file, reason: `it already sets ${name}` });
  }
  notes.push(...storage.notes);
  return { steps, notes, packages: storage.packages, typePackages: ts ? storage.typePackages : [] };
}

/**
 * A file to create, unless it (or the same module with another extension) exists.
 *
 * @returns {Step}
 */
function fileStep(project, path, content, what) {
  const existing = existingScript(project.root, withoutExtension(path));
  if (existing === undefined) return { kind: 'create', path, content, what };
  if (existing === path) return { kind: 'overwrite', path, content, what };
  return { kind: 'keep', path: existing, reason: `init would write ${path} beside it, so it writes neither` };
}
