// Proves the published package works for a newcomer: `npm pack` the kit,
// install the tarball into a fresh Next 16 app outside this repo, write the
// README quickstart files into it *verbatim*, build it, then log in, count,
// reload and log out in real Chromium, and read the exposed user in a client
// component through next-session-kit/client. Then an edge-runtime middleware.ts
// guards with the encrypted cookie (signed in, tampered, due a refresh) and
// with kvStorage() through a local KV bridge (needs redis-server), in Chromium.
// Then the Pages Router files of docs/pages-router.md (getServerSideProps, an API route) build beside
// the App Router and share its session in Chromium. Also checks that importing the kit
// into a client component, or into a Pages Router page component, fails the build
// loudly. Then, in a second fresh app shaped like create-next-app's
// (cacheComponents on), runs the installed `npx next-session-kit init --yes`,
// builds what it wrote and signs in and out through it in Chromium; does the same in
// a Pages Router app; and builds the README quickstart, verbatim, in a third app
// with create-next-app's settings (cacheComponents, partialPrefetching), signing
// in and out in Chromium. Neither create-next-app-shaped app may log Next's
// "unstable value" errors (a clock or random read while prerendering).
//
// Usage: node scripts/pack-smoke.mjs [--json results.json] [--keep]
import { execFileSync, spawn } from 'node:child_process';
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { chromium } from '@playwright/test';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { chromiumLaunchOptions } from '../e2e/chromium.mjs';
import { freshAppPackage, nextTsconfig } from './fresh-next-app.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const keep = args.includes('--keep');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const SECRET = 'pack-smoke-secret-with-at-least-32-characters';
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', SESSION_SECRET: SECRET };

const results = [];
async function check(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
    return true;
  } catch (error) {
    results.push({ name, ok: false, error: String(error?.stack ?? error) });
    console.log(`  ✘ ${name}\n${String(error?.stack ?? error).replace(/^/gm, '      ')}`);
    return false;
  }
}

function run(cmd, cmdArgs, cwd, extraEnv = {}) {
  return execFileSync(cmd, cmdArgs, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', stdio: 'pipe' });
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

const work = mkdtempSync(join(tmpdir(), 'nsk-pack-'));
const app = join(work, 'app');
let tarball;
let server;
// The edge-runtime checks: the app's URL, and the KV bridge with its redis-server.
let edgeBase;
let kvStack;

try {
  await check('npm pack produces a tarball with built ESM, types and the CLI, without tests', () => {
    run(process.execPath, ['scripts/build.mjs'], root);
    const [info] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
    tarball = join(work, info.filename);
    const files = info.files.map((f) => f.path);
    for (const needed of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/entries/client.js',
      'dist/entries/client.d.ts',
      'dist/entries/migrate/iron-session.js',
      'dist/entries/migrate/authjs.js',
      'dist/entries/store.js',
      'dist/entries/store.d.ts',
      'dist/entries/postgres.js',
      'dist/entries/postgres.d.ts',
      'dist/entries/sqlite.js',
      'dist/entries/sqlite.d.ts',
      'dist/storage/sql/ddl.js',
      'dist/storage/sql/table.js',
      'dist/entries/testing/vitest.js',
      'dist/entries/testing/vitest.d.ts',
      'bin/next-session-kit.mjs',
      'bin/init/main.mjs',
      'bin/init/storages.mjs',
      'bin/sql.mjs',
      'README.md',
      'SECURITY.md',
      'LICENSE',
      // The README links into docs/: each page it links must be in the package too.
      ...readmeDocs(),
    ]) {
      assert(files.includes(needed), `tarball lacks ${needed}`);
    }
    const stray = files.filter((f) => /\.test\.|\.d\.mts$|test-utils|^src\/|^app\/|^e2e\//.test(f));
    assert(stray.length === 0, `tarball ships non-package files: ${stray.join(', ')}`);
  });

  await check('a fresh Next 16 app installs the tarball', () => {
    mkdirSync(join(app, 'app'), { recursive: true });
    writeFileSync(
      join(app, 'package.json'),
      freshAppPackage(rootPkg.devDependencies, {
        name: 'fresh-next-app',
        tarball,
        scripts: { build: 'next build', start: 'next start' },
        // Only for the edge-runtime check below; the quickstart never imports it.
        dependencies: { '@vercel/kv': rootPkg.devDependencies['@vercel/kv'] },
      }),
    );
    // What create-next-app gives you, minus fonts and styling.
    writeFileSync(join(app, 'tsconfig.json'), nextTsconfig());
    writeFileSync(join(app, 'next.config.mjs'), 'export default {};\n');
    writeFileSync(
      join(app, 'app', 'layout.tsx'),
      'export default function RootLayout({ children }: { children: React.ReactNode }) {\n' +
        '  return (\n    <html lang="en">\n      <body>{children}</body>\n    </html>\n  );\n}\n',
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
    const installed = JSON.parse(
      readFileSync(join(app, 'node_modules/next-session-kit/package.json'), 'utf8'),
    );
    assert(installed.version === rootPkg.version, 'installed version differs');
    const clientEntry = readFileSync(
      join(app, 'node_modules/next-session-kit/dist/entries/client.js'),
      'utf8',
    );
    assert(
      clientEntry.startsWith("'use client';"),
      "the installed client entry lost its 'use client' directive",
    );
  });

  await check(
    'the README quickstart files, copied verbatim, and a useSession() client component build',
    () => {
      writeQuickstart(app);
      writeClientCheck();
      run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);
    },
  );

  await check('log in, count, reload and log out in Chromium against `next start`', async () => {
    const base = await startApp();
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByRole('link', { name: 'Sign in' }).waitFor();
      await page.goto(`${base}/login`);
      await page.getByLabel('Name').fill('ada');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Signed in as ada. Count: 0').waitFor();
      // `next start` is production: the cookie is Secure, so named __Host-session.
      const [cookie] = (await context.cookies()).filter((c) => c.name === '__Host-session');
      assert(
        cookie?.httpOnly === true &&
          cookie.secure === true &&
          cookie.sameSite === 'Lax' &&
          cookie.path === '/',
        'cookie attributes (a Secure, HttpOnly __Host-session cookie)',
      );
      const header = JSON.parse(Buffer.from(cookie.value.split('.')[0], 'base64url').toString('utf8'));
      assert(
        header.alg === 'dir' && header.enc === 'A256GCM' && typeof header.kid === 'string',
        'JWE header',
      );
      assert(!cookie.value.includes('ada'), 'the cookie must not contain the data in clear');
      await page.getByRole('button', { name: 'Increment' }).click();
      await page.getByText('Count: 1').waitFor();
      await page.reload();
      await page.getByText('Signed in as ada. Count: 1').waitFor();
      await checkClientSession(page, context, base);
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(`${base}/login`);
      const left = (await context.cookies()).filter((c) => /^(__Host-)?session(\.\d+)?$/.test(c.name));
      assert(left.length === 0, 'logout must clear the session cookie');
    } finally {
      await browser.close();
    }
  });

  // The edge runtime, for real: Next 16 still runs a `middleware.ts` there (deprecated in favour of
  // proxy.ts, which is always Node.js). One middleware guards /dashboard with the quickstart's
  // encrypted cookie and /kv-* with kvStorage() through the KV bridge (test/servers/kv-bridge.ts,
  // Upstash's REST protocol in front of a private redis-server); every check below runs in Chromium
  // against `next start` and reads the x-runtime header the middleware sets from the edge runtime.
  const edgeBuilt = await check(
    'middleware.ts on the edge runtime builds, and sends signed-out visitors to sign in (cookie, KV)',
    async () => {
      await stopApp();
      writeEdgeApp();
      run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);
      const manifest = JSON.parse(readFileSync(join(app, '.next/server/middleware-manifest.json'), 'utf8'));
      assert(
        Object.keys(manifest.middleware ?? {}).length === 1,
        'middleware is not built for the edge runtime',
      );
      kvStack = await startKvStack();
      edgeBase = await startApp({
        extraEnv: {
          KV_REST_API_URL: kvStack.url,
          KV_REST_API_TOKEN: kvStack.token,
          UPSTASH_DISABLE_TELEMETRY: '1',
        },
      });
      for (const [path, login] of [
        ['/dashboard', '/login'],
        ['/kv-only', '/kv-login'],
      ]) {
        const res = await fetch(`${edgeBase}${path}`, { redirect: 'manual' });
        assert(res.status === 307, `${path}: expected 307, got ${res.status}`);
        assert(res.headers.get('location')?.startsWith(`${login}?next=`), `${path}: bad location`);
        assert(
          res.headers.get('x-runtime') === 'edge',
          `${path}: middleware did not run on the edge runtime`,
        );
      }
    },
  );

  await check(
    'edge middleware, encrypted cookie: a signed-in browser passes, a tampered cookie is refused, a cookie due a refresh is re-sealed',
    async () => {
      assert(edgeBuilt && edgeBase, 'the edge app did not start');
      await withBrowser(async (page, context) => {
        await page.goto(`${edgeBase}/login`);
        await page.getByLabel('Name').fill('ada');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('Signed in as ada.').waitFor();

        // Signed in: the edge guard opens the cookie (WebCrypto) and lets the request through.
        const passed = await page.goto(`${edgeBase}/dashboard`);
        assert(passed?.status() === 200, `signed in: expected 200, got ${passed?.status()}`);
        assert(passed.headers()['x-runtime'] === 'edge', 'signed in: not guarded on the edge runtime');
        await page.getByText('Dashboard of ada').waitFor();
        const cookie = (await context.cookies()).find((c) => c.name === '__Host-session');
        assert(cookie, 'no session cookie after signing in');
        // (headers() leaves cookie headers out; allHeaders() has them.)
        assert(!(await passed.allHeaders())['set-cookie'], 'a fresh cookie must not be re-issued');

        // One character of the ciphertext flipped: refused, sent to sign in, the cookie cleared.
        await context.addCookies([{ ...cookie, value: tamper(cookie.value) }]);
        const refused = await page.goto(`${edgeBase}/dashboard`);
        await page.waitForURL(`${edgeBase}/login?next=%2Fdashboard`);
        const redirect = await refused?.request().redirectedFrom()?.response();
        assert(redirect?.status() === 307, `tampered: expected a 307, got ${redirect?.status()}`);
        assert(redirect.headers()['x-runtime'] === 'edge', 'tampered: not refused on the edge runtime');
        const left = (await context.cookies()).filter((c) => c.name === '__Host-session');
        assert(left.length === 0, 'the tampered cookie was not cleared');

        // Signed in two hours ago and idle since: past the refresh point (an hour, the quickstart's
        // idleTimeout of a day), far from its end. Sealed as docs/cookie-storage.md's wire format says.
        const createdAt = Date.now() - 2 * 3600 * 1000;
        const oldId = sessionId(createdAt);
        const old = await sealCookie([{ user: 'ada' }, oldId, { u: 'ada' }]);
        await context.addCookies([{ ...cookie, value: old }]);
        const refreshed = await page.goto(`${edgeBase}/dashboard`);
        assert(refreshed?.status() === 200, `due a refresh: expected 200, got ${refreshed?.status()}`);
        assert(refreshed.headers()['x-runtime'] === 'edge', 'due a refresh: not guarded on the edge runtime');
        await page.getByText('Dashboard of ada').waitFor();
        assert(
          /(^|\n)__Host-session=/.test((await refreshed.allHeaders())['set-cookie'] ?? ''),
          'the edge guard did not re-issue the cookie',
        );
        const resealed = (await context.cookies()).find((c) => c.name === '__Host-session');
        assert(resealed && resealed.value !== old, 'the browser kept the old cookie');
        const [data, id, meta] = await openCookie(resealed.value);
        assert(data.user === 'ada' && id === oldId && meta.u === 'ada', 'a different session came back');
        const idle = Date.now() - (createdAt + (meta.a ?? 0) * 1000);
        assert(idle >= 0 && idle < 10 * 60 * 1000, `the last activity did not move to now (${idle} ms ago)`);
      });
    },
  );

  await check(
    'edge middleware, kvStorage: a signed-in browser passes through the KV bridge, and not after logout',
    async () => {
      assert(edgeBuilt && edgeBase && kvStack, 'the edge app did not start');
      await withBrowser(async (page, context) => {
        const requestsBefore = await kvStack.requests();
        await page.goto(`${edgeBase}/kv-login`);
        await page.getByLabel('Name').fill('grace');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByText('KV user: grace').waitFor();
        const cookie = (await context.cookies()).find((c) => c.name === '__Host-kvsession');
        assert(cookie && /^[\w-]{43}$/.test(cookie.value), 'expected an opaque 43-character token cookie');

        // The edge guard loads the record through the bridge; only a signed-in session passes.
        const passed = await page.goto(`${edgeBase}/kv-only`);
        assert(passed?.status() === 200, `signed in: expected 200, got ${passed?.status()}`);
        assert(passed.headers()['x-runtime'] === 'edge', 'KV: not guarded on the edge runtime');
        await page.getByText('KV user: grace').waitFor();
        assert((await kvStack.requests()) > requestsBefore, 'nothing reached the KV bridge');

        await page.getByRole('button', { name: 'Log out' }).click();
        await page.waitForURL(`${edgeBase}/kv-login`);
        // The record is gone: the same token, replayed, is refused at the edge.
        await context.addCookies([cookie]);
        const refused = await page.goto(`${edgeBase}/kv-only`);
        await page.waitForURL(`${edgeBase}/kv-login?next=%2Fkv-only`);
        const redirect = await refused?.request().redirectedFrom()?.response();
        assert(redirect?.status() === 307, `after logout: expected a 307, got ${redirect?.status()}`);
        assert(redirect.headers()['x-runtime'] === 'edge', 'after logout: not refused on the edge runtime');
      });
    },
  );
  await stopApp();
  await kvStack?.stop();
  kvStack = undefined;
  removeEdgeApp();

  // The Pages Router beside the App Router: the two Pages Router files of docs/pages-router.md, verbatim,
  // in the quickstart app, with `pages` added to lib/session.ts's exports as that page says. The root of the
  // package resolves without `server-only` there (Next refuses it outside react-server layers).
  await check(
    'the Pages Router files of docs/pages-router.md (getServerSideProps, an API route) build beside the App Router and share its session in Chromium',
    async () => {
      writePagesRouter(app);
      run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);
      const base = await startApp();
      try {
        await withBrowser(async (page, context) => {
          const sessionCookies = async () =>
            (await context.cookies()).filter((c) => /^(__Host-)?session(\.\d+)?$/.test(c.name));
          // An App Router login, seen by the Pages Router's page and API route.
          await page.goto(`${base}/login`);
          await page.getByLabel('Name').fill('ada');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByText('Signed in as ada. Count: 0').waitFor();
          await page.goto(`${base}/account`);
          await page.getByText('Pages Router: signed in as ada').waitFor();
          const read = await page.request.get(`${base}/api/account`);
          assert((await read.json()).user === 'ada', 'the API route does not see the App Router login');
          // A logout in the API route ends the session for the App Router too.
          const out = await page.request.delete(`${base}/api/account`);
          assert((await out.json()).user === null, 'the API route did not sign out');
          assert((await sessionCookies()).length === 0, 'the API route did not clear the session cookie');
          await page.goto(`${base}/`);
          await page.getByRole('link', { name: 'Sign in' }).waitFor();

          // A login in the API route: the App Router's Secure __Host- cookie, seen by the App Router.
          const signedIn = await page.request.post(`${base}/api/account`, { data: { name: 'grace' } });
          assert((await signedIn.json()).user === 'grace', 'the API route did not sign in');
          const cookies = await sessionCookies();
          assert(
            cookies.length === 1 &&
              cookies[0].name === '__Host-session' &&
              cookies[0].secure &&
              cookies[0].httpOnly &&
              cookies[0].sameSite === 'Lax',
            `the API route set other cookies: ${cookies.map((c) => c.name).join(', ')}`,
          );
          await page.goto(`${base}/`);
          await page.getByText('Signed in as grace. Count: 0').waitFor();
          // An App Router logout ends it for the Pages Router.
          await page.getByRole('button', { name: 'Log out' }).click();
          await page.waitForURL(`${base}/login`);
          await page.goto(`${base}/account`);
          await page.getByText('Pages Router: signed out').waitFor();
        });
      } finally {
        await stopApp();
      }
    },
  );

  await check('importing the kit into a client component fails the build loudly', () => {
    mkdirSync(join(app, 'app', 'client'), { recursive: true });
    writeFileSync(
      join(app, 'app', 'client', 'widget.tsx'),
      "'use client';\nimport { createSessionKit } from 'next-session-kit';\n" +
        'export function Widget() {\n  return <p>{typeof createSessionKit}</p>;\n}\n',
    );
    writeFileSync(
      join(app, 'app', 'client', 'page.tsx'),
      "import { Widget } from './widget';\nexport default function Page() {\n  return <Widget />;\n}\n",
    );
    let failed = false;
    let output = '';
    try {
      run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);
    } catch (error) {
      failed = true;
      output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    }
    assert(failed, 'next build succeeded although a client component imports next-session-kit');
    // Refused for `server-only` (the root's `browser` condition), not for some other reason.
    assert(/server-only/.test(output), `unexpected build failure:\n${output.slice(-2000)}`);
  });
  await check(
    'a Pages Router page component that uses the kit in the browser bundle fails the build too',
    () => {
      rmSync(join(app, 'app', 'client'), { recursive: true, force: true });
      writeFileSync(
        join(app, 'pages', 'misuse.tsx'),
        "import { createSessionKit } from 'next-session-kit';\n" +
          'export default function Misuse() {\n  return <p>{typeof createSessionKit}</p>;\n}\n',
      );
      let failed = false;
      let output = '';
      try {
        run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);
      } catch (error) {
        failed = true;
        output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      } finally {
        rmSync(join(app, 'pages', 'misuse.tsx'), { force: true });
      }
      assert(
        failed,
        'next build succeeded although a page component bundles next-session-kit for the browser',
      );
      assert(/server-only/.test(output), `unexpected build failure:\n${output.slice(-2000)}`);
    },
  );
  await check(
    'next-session-kit/testing runs a Server Action and a page in vitest, as docs/testing.md shows',
    () => {
      // Apart from the Next app's own files, so `next build` above never type-checks them.
      const dir = join(work, 'vitest-app');
      mkdirSync(join(dir, 'app'), { recursive: true });
      writeFileSync(
        join(dir, 'package.json'),
        JSON.stringify({ name: 'vitest-app', private: true, type: 'module' }, null, 2),
      );
      // The fresh app's packages, plus this repository's vitest (not worth a second install).
      mkdirSync(join(dir, 'node_modules'));
      for (const name of readdirSync(join(app, 'node_modules'))) {
        symlinkSync(join(app, 'node_modules', name), join(dir, 'node_modules', name));
      }
      symlinkSync(join(root, 'node_modules', 'vitest'), join(dir, 'node_modules', 'vitest'));
      // docs/testing.md's recipe, verbatim: point `server-only` at its empty module.
      writeFileSync(join(dir, 'vitest.config.mts'), vitestRecipe());
      writeFileSync(
        join(dir, 'app', 'session.ts'),
        `import 'server-only';
import { createSessionKit, memoryStorage } from 'next-session-kit';

export const { getSession, newSession, hasSession } = createSessionKit<{ user?: string }>({
  storage: memoryStorage(),
});
`,
      );
      writeFileSync(
        join(dir, 'app', 'actions.ts'),
        `import { redirect } from 'next/navigation';
import { getSession, newSession } from './session';

export async function login(form: FormData): Promise<void> {
  const session = await newSession();
  session.set('user', String(form.get('name')));
  await session.save();
  redirect('/');
}

export async function whoAmI(): Promise<string> {
  return (await getSession()).get('user') ?? 'guest';
}
`,
      );
      writeFileSync(
        join(dir, 'app', 'actions.test.ts'),
        `import { createTestBrowser, withSessionRequest } from 'next-session-kit/testing';
import { expect, it } from 'vitest';
import { login, whoAmI } from './actions';
import { hasSession } from './session';

it('signs in and reads the session on the next request', async () => {
  const form = new FormData();
  form.set('name', 'ada');
  const signedIn = await withSessionRequest({}, () => login(form));
  expect(signedIn.redirect).toBe('/');

  const browser = createTestBrowser();
  await browser.request(() => login(form));
  expect((await browser.request(() => whoAmI(), { readOnly: true })).result).toBe('ada');
  expect((await browser.request(() => hasSession())).result).toBe(true);
  expect((await withSessionRequest({}, () => whoAmI())).result).toBe('guest');
});
`,
      );
      const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
      const out = run(process.execPath, [vitest, 'run', '--root', dir], dir);
      assert(/1 passed/.test(out), `vitest did not report the test as passed:\n${out.slice(-1500)}`);
    },
  );
  await check(
    '`npx next-session-kit sql postgres|sqlite` prints the DDL the storages run (src/storage/sql/ddl.ts)',
    async () => {
      // The command has no DDL of its own: it prints the installed package's dist/storage/sql/ddl.js.
      const ddl = await import(join(root, 'dist/storage/sql/ddl.js'));
      const { resolveSqlTable } = await import(join(root, 'dist/storage/sql/table.js'));
      for (const name of ['next_sessions', 'app.sessions']) {
        const { table } = resolveSqlTable('pack-smoke', { table: name });
        for (const [dialect, statements] of [
          ['postgres', ddl.postgresTableSql(table)],
          ['sqlite', ddl.sqliteTableSql(table)],
        ]) {
          const out = run('npx', ['--no-install', 'next-session-kit', 'sql', dialect, '--table', name], app);
          const printed = out
            .split('\n')
            .filter((line) => !line.startsWith('--'))
            .join('\n');
          assert(
            printed === statements.map((statement) => `${statement};\n`).join(''),
            `next-session-kit sql ${dialect} --table ${name} printed something else than ddl.ts:\n${out}`,
          );
        }
      }
    },
  );

  await check('next-session-kit/testing and /store load without vitest; /testing/vitest needs it', () => {
    // The fresh app has no vitest: the request helpers and defineStore() must not reach for it.
    const probe = `
      const testing = await import('next-session-kit/testing');
      const store = await import('next-session-kit/store');
      if (typeof testing.withSessionRequest !== 'function') throw new Error('no withSessionRequest');
      if (typeof store.defineStore !== 'function') throw new Error('no defineStore');
      const missing = await import('next-session-kit/testing/vitest').then(() => 'loaded', (e) => e.message);
      console.log(JSON.stringify({ missing }));
    `;
    const out = run(process.execPath, ['--input-type=module', '-e', probe], app);
    const { missing } = JSON.parse(out.trim().split('\n').pop());
    assert(/vitest/.test(missing), `next-session-kit/testing/vitest loaded without vitest: ${missing}`);
  });

  await check(
    "docs/stores.md's map-store.ts type-checks and passes describeStoreAdapter, copied verbatim",
    () => {
      const dir = join(work, 'vitest-app');
      const doc = readFileSync(join(root, 'docs', 'stores.md'), 'utf8');
      for (const file of ['map-store.ts', 'map-store.test.ts']) {
        const escaped = file.replace(/\./g, '\\.');
        const block = new RegExp(`\`\`\`ts\\n(// ${escaped}\\n[\\s\\S]*?)\`\`\``).exec(doc)?.[1];
        assert(block !== undefined, `docs/stores.md has no \`// ${file}\` code block`);
        writeFileSync(join(dir, file), block);
      }
      // Against the package's own .d.ts, as a Next app resolves it.
      const tsc = join(app, 'node_modules', 'typescript', 'bin', 'tsc');
      const flags = ['--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'esnext'];
      const files = ['--moduleResolution', 'bundler', 'map-store.ts', 'map-store.test.ts'];
      run(process.execPath, [tsc, ...flags, ...files], dir);
      const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
      const out = stripVTControlCharacters(
        run(process.execPath, [vitest, 'run', '--root', dir, 'map-store.test.ts'], dir),
      );
      assert(
        /Test Files\s+1 passed/.test(out),
        `the docs/stores.md store did not pass:\n${out.slice(-1500)}`,
      );
      const passed = Number(/Tests\s+(\d+) passed/.exec(out)?.[1]);
      assert(passed >= 30, `describeStoreAdapter ran only ${passed} cases:\n${out.slice(-1500)}`);
    },
  );

  await initChecks();
} finally {
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    server.kill('SIGKILL');
  }
  await kvStack?.stop();
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`pack smoke: ${passed} passed, ${failed} failed`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ passed, failed, results }, null, 2));
process.exit(failed === 0 ? 0 : 1);

// `npx next-session-kit init` from the installed tarball, in fresh apps: the App Router
// one and the Pages Router one are each built and driven in Chromium.
async function initChecks() {
  const initApp = join(work, 'init-app');
  // No SESSION_SECRET from outside: the app must run on the one init put in .env.local.
  const initEnv = { ...env };
  delete initEnv.SESSION_SECRET;
  const runIn = (cmd, cmdArgs, cwd) =>
    execFileSync(cmd, cmdArgs, { cwd, env: initEnv, encoding: 'utf8', stdio: 'pipe' });
  let secret;

  const written = await check(
    '`npx next-session-kit init --yes` sets up a fresh create-next-app app (TypeScript, app/, @/*, cacheComponents)',
    () => {
      writeCreateNextApp(initApp);
      runIn('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], initApp);
      const out = runIn('npx', ['--no', 'next-session-kit', 'init', '--yes'], initApp);
      for (const file of [
        'lib/session.ts',
        'app/login/actions.ts',
        'app/login/page.tsx',
        'proxy.ts',
        '.env.local',
      ]) {
        assert(
          new RegExp(`create\\s+${file.replace('.', '\\.')}`).test(out),
          `init did not create ${file}:\n${out}`,
        );
      }
      assert(/imports through @\/\*/.test(out), `init did not pick up the @/* alias:\n${out}`);
      assert(
        readFileSync(join(initApp, 'proxy.ts'), 'utf8').includes("import { guard } from '@/lib/session';"),
        'proxy.ts does not import lib/session through @/',
      );
      secret = /^SESSION_SECRET=([A-Za-z0-9_-]{43})$/m.exec(
        readFileSync(join(initApp, '.env.local'), 'utf8'),
      )?.[1];
      assert(secret, '.env.local holds no generated SESSION_SECRET');
      assert(!out.includes(secret), 'init printed the secret');
      const again = runIn('npx', ['--no', 'next-session-kit', 'init', '--yes'], initApp);
      assert(
        !/^\s+(create|change|add to)\s/m.test(again),
        `a second init --yes changed something:\n${again}`,
      );
    },
  );

  await check(
    'the app init set up builds, and signs in and out in Chromium through its actions',
    async () => {
      assert(written, 'init did not set the app up');
      await stopApp();
      // The app's own protected page, as its developer would add it.
      mkdirSync(join(initApp, 'app', 'dashboard'), { recursive: true });
      writeFileSync(
        join(initApp, 'app', 'dashboard', 'page.tsx'),
        `import { Suspense } from 'react';
import { getSession } from '@/lib/session';

export default function Dashboard() {
  return (
    <Suspense>
      <Owner />
    </Suspense>
  );
}

async function Owner() {
  return <p>Dashboard of {(await getSession()).get('user') ?? 'nobody'}</p>;
}
`,
      );
      runIn(process.execPath, ['node_modules/next/dist/bin/next', 'build'], initApp);
      const logs = { text: '' };
      const base = await startApp({ dir: initApp, serverEnv: initEnv, logs });
      const browser = await chromium.launch(chromiumLaunchOptions);
      try {
        const context = await browser.newContext();
        const page = await context.newPage();
        // The guard in the generated proxy.ts sends a signed-out visitor to the generated login page.
        await page.goto(`${base}/dashboard`);
        assert(page.url() === `${base}/login?next=%2Fdashboard`, `not sent to sign in: ${page.url()}`);
        await page.getByLabel('Name').fill('   ');
        await page.getByRole('button', { name: 'Sign in' }).click();
        // (Next's route announcer is an alert too.)
        await page.getByRole('alert').filter({ hasText: 'did not work' }).waitFor();
        // The message streams in before the navigation commits, and React resets the form's fields
        // when it does: typing before that would be wiped, and the empty, required field not sent.
        await page.waitForURL(`${base}/login?error=signin&next=%2Fdashboard`);
        await page.getByLabel('Name').fill('ada');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await checkSignedInThenOut(page, context, base, { login: 'login()', logout: 'logout()' });
      } finally {
        await browser.close();
        await stopApp();
      }
      // With cacheComponents and partialPrefetching (create-next-app's defaults), a clock read while
      // Next prerenders the cookie-dependent part of a page is logged as an error.
      assertNoUnstableValues(logs.text);
    },
  );

  await check(
    '`init --yes` in a Pages Router app sets it up (API routes, a login page, proxy.ts); it builds and signs in and out in Chromium',
    async () => {
      assert(written, 'the init app was not installed');
      const pagesApp = join(work, 'pages-app');
      mkdirSync(join(pagesApp, 'pages'), { recursive: true });
      const initPkg = JSON.parse(readFileSync(join(initApp, 'package.json'), 'utf8'));
      writeFileSync(
        join(pagesApp, 'package.json'),
        JSON.stringify({ ...initPkg, name: 'pages-app' }, null, 2),
      );
      writeFileSync(join(pagesApp, 'tsconfig.json'), readFileSync(join(initApp, 'tsconfig.json'), 'utf8'));
      writeFileSync(join(pagesApp, '.gitignore'), readFileSync(join(initApp, '.gitignore'), 'utf8'));
      writeFileSync(
        join(pagesApp, 'pages', 'index.tsx'),
        'export default function Home() {\n  return <h1>Home</h1>;\n}\n',
      );
      // (Turbopack builds nothing from a symlinked node_modules outside the app: its own install.)
      runIn('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], pagesApp);
      const out = runIn('npx', ['--no', 'next-session-kit', 'init', '--yes'], pagesApp);
      assert(/Pages Router \(pages\/\)/.test(out), `unexpected output:\n${out}`);
      for (const file of [
        'lib/session.ts',
        'pages/api/login.ts',
        'pages/api/logout.ts',
        'pages/login.tsx',
        'proxy.ts',
        '.env.local',
      ]) {
        assert(
          new RegExp(`create\\s+${file.replace('.', '\\.')}`).test(out),
          `init did not create ${file}:\n${out}`,
        );
      }
      assert(!filesIn(pagesApp).some((f) => f.startsWith('app/')), 'init wrote App Router files');
      // The app's own protected page, as its developer would add it.
      writeFileSync(
        join(pagesApp, 'pages', 'dashboard.tsx'),
        `import type { GetServerSideProps } from 'next';
import { pages } from '@/lib/session';

export const getServerSideProps = (async ({ req, res }) => {
  const user = (await pages(req, res).getSession()).get('user') ?? null;
  return { props: { user } };
}) satisfies GetServerSideProps<{ user: string | null }>;

export default function Dashboard({ user }: { user: string | null }) {
  return <p>Dashboard of {user ?? 'nobody'}</p>;
}
`,
      );
      runIn(process.execPath, ['node_modules/next/dist/bin/next', 'build'], pagesApp);
      const base = await startApp({ dir: pagesApp, serverEnv: initEnv });
      try {
        await withBrowser(async (page, context) => {
          // The guard in the generated proxy.ts sends a signed-out visitor to the generated login page.
          await page.goto(`${base}/dashboard`);
          assert(page.url() === `${base}/login?next=%2Fdashboard`, `not sent to sign in: ${page.url()}`);
          await page.getByLabel('Name').fill('ada');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await checkSignedInThenOut(page, context, base, {
            login: 'the login API route',
            logout: 'the logout API route',
          });
        });
      } finally {
        await stopApp();
      }
    },
  );

  await check(
    'the README quickstart, verbatim in a create-next-app app (cacheComponents, partialPrefetching), builds and signs in and out without errors',
    async () => {
      assert(written, 'the init app was not installed');
      const cnaApp = join(work, 'quickstart-cna-app');
      writeCreateNextApp(cnaApp);
      writeQuickstart(cnaApp);
      // (Turbopack builds nothing from a symlinked node_modules outside the app: its own install.)
      run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], cnaApp);
      run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], cnaApp);
      const logs = { text: '' };
      const base = await startApp({ dir: cnaApp, logs });
      try {
        await withBrowser(async (page, context) => {
          await page.goto(`${base}/`);
          await page.getByRole('link', { name: 'Sign in' }).click();
          await page.getByLabel('Name').fill('ada');
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByText('Signed in as ada. Count: 0').waitFor();
          await page.getByRole('button', { name: 'Increment' }).click();
          await page.getByText('Count: 1').waitFor();
          await page.reload();
          await page.getByText('Signed in as ada. Count: 1').waitFor();
          await page.getByRole('button', { name: 'Log out' }).click();
          await page.waitForURL(`${base}/login`);
          const left = (await context.cookies()).filter((c) => /^(__Host-)?session(\.\d+)?$/.test(c.name));
          assert(left.length === 0, 'logout must clear the session cookie');
          await page.goto(`${base}/`);
          await page.getByRole('link', { name: 'Sign in' }).waitFor();
        });
      } finally {
        await stopApp();
      }
      assertNoUnstableValues(logs.text);
    },
  );
}

// The Pages Router files of docs/pages-router.md (its `// Pages Router file:` blocks), verbatim, and
// `pages` added to the exports of the README quickstart's lib/session.ts, as that page shows.
function writePagesRouter(dir) {
  const doc = readFileSync(join(root, 'docs', 'pages-router.md'), 'utf8');
  const blocks = [...doc.matchAll(/```tsx?\n\/\/ Pages Router file: (\S+)\n([\s\S]*?)```/g)];
  assert(
    blocks.length === 2,
    `expected two Pages Router file blocks in docs/pages-router.md, found ${blocks.length}`,
  );
  assert(
    doc.includes('export const { getSession, newSession, destroySession, guard, pages } = createSessionKit'),
    "docs/pages-router.md no longer shows `pages` among lib/session.ts's exports",
  );
  for (const [, file, body] of blocks) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `// Pages Router file: ${file}\n${body}`);
  }
  const libPath = join(dir, 'lib', 'session.ts');
  const lib = readFileSync(libPath, 'utf8');
  const exported = 'export const { getSession, newSession, destroySession, guard } = createSessionKit';
  assert(lib.includes(exported), 'the quickstart lib/session.ts changed its exports');
  writeFileSync(libPath, lib.replace(exported, exported.replace('guard }', 'guard, pages }')));
}

// The README's quickstart files (its \`// file:\` blocks), written into `dir` verbatim.
// (The README links its other pages, docs/*.md: readmeDocs() lists them for the tarball check.)
// docs/testing.md's `vitest.config.mts` block (indented under a list item there), as a file.
function vitestRecipe() {
  const doc = readFileSync(join(root, 'docs', 'testing.md'), 'utf8');
  const block = /\n( *)```ts\n\1(\/\/ vitest\.config\.mts\n[\s\S]*?)\n\1```/.exec(doc);
  assert(block !== null, 'docs/testing.md has no `// vitest.config.mts` code block');
  const [, indent, body] = block;
  return `${body
    .split('\n')
    .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
    .join('\n')}\n`;
}

function readmeDocs() {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  return [...new Set([...readme.matchAll(/\]\((docs\/[\w.-]+\.(?:md|svg))(?:#[^)]*)?\)/g)].map((m) => m[1]))];
}

function writeQuickstart(dir) {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```tsx?\n\/\/ file: (\S+)\n([\s\S]*?)```/g)];
  assert(blocks.length >= 3, `expected the quickstart's file blocks in README.md, found ${blocks.length}`);
  for (const [, file, body] of blocks) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `// file: ${file}\n${body}`);
  }
}

// Next's "encountered the unstable value `Date.now()` while prerendering" (or `Math.random()`,
// `crypto…`) in a server's output: the kit read the clock or drew randomness where Next prerenders.
function assertNoUnstableValues(text) {
  const found = text.match(/encountered the unstable value [^\n]*/g) ?? [];
  assert(
    found.length === 0,
    `next start logged ${found.length} "unstable value" error(s):\n${[...new Set(found)].join('\n')}`,
  );
}

/** Files under `dir`, node_modules left out, as posix paths relative to it. */
function filesIn(dir, prefix = '') {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules') return [];
    return entry.isDirectory() ? filesIn(dir, path) : [path];
  });
}

// What `npx create-next-app@16.4 --ts --app --no-tailwind --no-eslint --no-src-dir` writes, minus
// fonts, styles and images (no network here but the npm registry), with the kit's tarball as a
// dependency as `npm i next-session-kit` would add it.
function writeCreateNextApp(dir) {
  const dev = rootPkg.devDependencies;
  mkdirSync(join(dir, 'app'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify(
      {
        name: 'init-app',
        version: '0.1.0',
        private: true,
        scripts: { dev: 'next dev', build: 'next build', start: 'next start' },
        dependencies: {
          next: dev.next,
          react: dev.react,
          'react-dom': dev['react-dom'],
          'next-session-kit': `file:${tarball}`,
        },
        devDependencies: {
          '@types/node': dev['@types/node'],
          '@types/react': dev['@types/react'],
          '@types/react-dom': dev['@types/react-dom'],
          typescript: dev.typescript,
        },
      },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, 'tsconfig.json'), nextTsconfig({ paths: { '@/*': ['./*'] } }, ['**/*.mts']));
  writeFileSync(
    join(dir, 'next.config.ts'),
    `import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  /* config options here */
  cacheComponents: true,
  partialPrefetching: true,
};

export default nextConfig;
`,
  );
  writeFileSync(join(dir, '.gitignore'), '/node_modules\n/.next/\n.env*\n*.tsbuildinfo\nnext-env.d.ts\n');
  writeFileSync(
    join(dir, 'app', 'layout.tsx'),
    `import type { Metadata } from "next";

export const metadata: Metadata = {
  title: "Create Next App",
  description: "Generated by create next app",
};

export default function RootLayout({ children }: LayoutProps<"/">) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`,
  );
  writeFileSync(
    join(dir, 'app', 'page.tsx'),
    'export default function Home() {\n  return (\n    <main>\n      <h1>To get started, edit the page.tsx file.</h1>\n    </main>\n  );\n}\n',
  );
}

// A client component reading the session through next-session-kit/client, under a layout that renders
// the kit's SessionProvider. Its own kit reads the quickstart's cookie (same name and secret).
function writeClientCheck() {
  mkdirSync(join(app, 'app', 'client-check'), { recursive: true });
  writeFileSync(
    join(app, 'lib', 'client-session.ts'),
    `import { createSessionKit, encryptedCookieStorage, type ExposedOf } from 'next-session-kit';

type Data = { user?: string; count?: number };

export const kit = createSessionKit<Data, Record<string, never>, Pick<Data, 'user'>>({
  storage: encryptedCookieStorage({ secret: process.env.SESSION_SECRET ?? '' }),
  expose: ['user'],
});
export const { SessionProvider } = kit;
export type ClientSession = ExposedOf<typeof kit>;
`,
  );
  writeFileSync(
    join(app, 'app', 'client-check', 'layout.tsx'),
    `import { SessionProvider } from '../../lib/client-session';

export default function Layout({ children }: { children: React.ReactNode }) {
  return <SessionProvider>{children}</SessionProvider>;
}
`,
  );
  writeFileSync(
    join(app, 'app', 'client-check', 'user-badge.tsx'),
    `'use client';
import { useSession } from 'next-session-kit/client';
import { useState } from 'react';
import type { ClientSession } from '../../lib/client-session';

export function UserBadge() {
  const { user } = useSession<ClientSession>();
  const [checked, setChecked] = useState(false);
  return (
    <p>
      User: {user ?? 'guest'}{' '}
      <button type="button" onClick={() => setChecked(true)}>
        Check
      </button>
      {checked ? <span data-testid="client-read">in the browser: {user}</span> : null}
    </p>
  );
}
`,
  );
  writeFileSync(
    join(app, 'app', 'client-check', 'page.tsx'),
    `import { UserBadge } from './user-badge';

export default function Page() {
  return <UserBadge />;
}
`,
  );
}

// Signed in as ada with count 1: the page's HTML carries the user and nothing else of the
// session, and the hydrated client component reads it in the browser.
async function checkClientSession(page, context, base) {
  const cookieValue = (await context.cookies()).find((c) => c.name === '__Host-session')?.value;
  assert(cookieValue, 'no session cookie');
  const html = await (await page.request.get(`${base}/client-check`)).text();
  assert(/User: (<!-- -->)?ada/.test(html), 'useSession() did not render the user on the server');
  assert(html.includes('{\\"user\\":\\"ada\\"}'), 'the exposed snapshot is missing from the payload');
  assert(!/\\?"count\\?"/.test(html), 'a field that is not exposed reached the HTML');
  assert(!html.includes(cookieValue), 'the cookie value reached the HTML');
  await page.goto(`${base}/client-check`);
  // Clicked until hydration has attached the handler.
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('button', { name: 'Check' }).click();
    try {
      await page
        .getByTestId('client-read')
        .filter({ hasText: 'in the browser: ada' })
        .waitFor({ timeout: 1000 });
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}

// `next start` for a fresh app (`dir`, default the quickstart app) on a free port, with
// `serverEnv` (default: the test env) plus `extraEnv`; resolves to its base URL once /login
// answers. `logs.text` collects what the server prints.
async function startApp({ dir = app, serverEnv = env, extraEnv = {}, logs = { text: '' } } = {}) {
  const port = await freePort();
  server = spawn(
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: dir,
      env: { ...serverEnv, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout.on('data', (d) => (logs.text += d));
  server.stderr.on('data', (d) => (logs.text += d));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/login`, () => logs.text);
  return base;
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitFor(url, log) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start:\n${log()}`);
}

// Stops the running `next start`, if any, and waits for it to exit.
async function stopApp() {
  const running = server;
  server = undefined;
  if (!running || running.exitCode !== null || running.signalCode !== null) return;
  const exited = new Promise((r) => running.once('exit', r));
  running.kill('SIGTERM');
  const timer = setTimeout(() => running.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

// An app init set up, just signed in as ada from /dashboard's sign-in redirect: back on /dashboard
// with an encrypted __Host- cookie; then signed out from /login, the cookie gone and /dashboard
// sending to sign in again. `login` and `logout`: what signs in and out, for the messages.
async function checkSignedInThenOut(page, context, base, { login, logout }) {
  await page.getByText('Dashboard of ada').waitFor();
  assert(page.url() === `${base}/dashboard`, `${login} did not follow next: ${page.url()}`);
  const cookie = (await context.cookies()).find((c) => c.name === '__Host-session');
  assert(
    cookie?.httpOnly === true && cookie.secure && cookie.sameSite === 'Lax',
    'session cookie attributes',
  );
  assert(cookie.value.split('.').length === 5 && !cookie.value.includes('ada'), 'not an encrypted cookie');
  await page.goto(`${base}/login`);
  await page.getByText('Signed in as ada.').waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const left = (await context.cookies()).filter((c) => /^(__Host-)?session(\.\d+)?$/.test(c.name));
  assert(left.length === 0, `${logout} must clear the session cookie`);
  await page.goto(`${base}/dashboard`);
  assert(page.url().startsWith(`${base}/login?next=`), 'signed out, /dashboard must send to sign in again');
}

// A fresh Chromium context for `fn(page, context)`.
async function withBrowser(fn) {
  const browser = await chromium.launch(chromiumLaunchOptions);
  try {
    const context = await browser.newContext();
    await fn(await context.newPage(), context);
  } finally {
    await browser.close();
  }
}

// The edge-runtime app: middleware.ts, a page it guards for each storage, and a second kit on
// kvStorage() with its own cookie, whose login and logout run in Server Actions (Node.js).
// (Functions, not constants: the checks above run before this part of the module is evaluated.)
function edgeFiles() {
  return {
    'middleware.ts': `import type { NextRequest } from 'next/server';
import { kvKit } from './lib/kv-session';
import { guard } from './lib/session';

const cookieGuard = guard({ protect: ['/dashboard'], loginPath: '/login' });
const kvGuard = kvKit.guard({ protect: ['/kv-only'], loginPath: '/kv-login' });

export async function middleware(request: NextRequest) {
  const kv = request.nextUrl.pathname.startsWith('/kv-');
  const response = await (kv ? kvGuard : cookieGuard)(request);
  const edge = typeof (globalThis as { EdgeRuntime?: unknown }).EdgeRuntime === 'string';
  response.headers.set('x-runtime', edge ? 'edge' : 'nodejs');
  return response;
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
`,
    'lib/kv-session.ts': `import { createClient } from '@vercel/kv';
import { createSessionKit } from 'next-session-kit';
import { kvStorage } from 'next-session-kit/kv';

type Data = { user?: string };

export const kvKit = createSessionKit<Data>({
  storage: kvStorage({
    client: createClient({
      url: process.env.KV_REST_API_URL ?? 'http://127.0.0.1:9',
      token: process.env.KV_REST_API_TOKEN ?? 'unset',
    }),
  }),
  cookieName: 'kvsession',
  idleTimeout: 60 * 60 * 24,
});
`,
    'app/dashboard/page.tsx': `import { redirect } from 'next/navigation';
import { getSession } from '../../lib/session';

export default async function Dashboard() {
  const user = (await getSession()).get('user');
  if (!user) redirect('/login');
  return <p>Dashboard of {user}</p>;
}
`,
    'app/kv-login/page.tsx': `import { redirect } from 'next/navigation';
import { kvKit } from '../../lib/kv-session';

async function login(formData: FormData) {
  'use server';
  const name = String(formData.get('name') ?? '').trim();
  if (!name) return;
  const session = await kvKit.newSession({ userId: name });
  session.set('user', name);
  await session.save();
  redirect('/kv-only');
}

export default function KvLogin() {
  return (
    <form action={login}>
      <label>
        Name <input name="name" required />
      </label>
      <button type="submit">Sign in</button>
    </form>
  );
}
`,
    'app/kv-only/page.tsx': `import { redirect } from 'next/navigation';
import { kvKit } from '../../lib/kv-session';

async function logout() {
  'use server';
  await kvKit.destroySession();
  redirect('/kv-login');
}

export default async function KvOnly() {
  const user = (await kvKit.getSession()).get('user');
  if (!user) redirect('/kv-login');
  return (
    <main>
      <p>KV user: {user}</p>
      <form action={logout}>
        <button type="submit">Log out</button>
      </form>
    </main>
  );
}
`,
  };
}

function writeEdgeApp() {
  for (const [file, text] of Object.entries(edgeFiles())) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    writeFileSync(join(app, file), text);
  }
}

function removeEdgeApp() {
  for (const file of Object.keys(edgeFiles())) rmSync(join(app, file), { force: true });
}

// A private redis-server and the KV bridge in front of it (scripts/load/kv-bridge-process.ts).
// `requests()` asks the bridge how many HTTP requests it has answered.
async function startKvStack() {
  const port = await freePort();
  const dir = mkdtempSync(join(work, 'kv-redis-'));
  const redis = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const stopRedis = () => redis.exitCode === null && redis.kill('SIGKILL');
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(port))) {
    if (redis.exitCode !== null || Date.now() > deadline) {
      stopRedis();
      throw new Error('redis-server did not start (is it installed? apt-get install redis-server)');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const bridge = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'scripts/load/kv-bridge-process.ts'), `redis://127.0.0.1:${port}`],
    { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: bridge.stdout });
  const next = () => new Promise((resolve) => lines.once('line', resolve));
  const started = await Promise.race([
    next(),
    new Promise((resolve) => bridge.once('exit', () => resolve(undefined))),
  ]);
  if (typeof started !== 'string') {
    stopRedis();
    throw new Error('the KV bridge did not start');
  }
  const { url, token } = JSON.parse(started);
  return {
    url,
    token,
    async requests() {
      bridge.stdin.write('requests\n');
      return Number(String(await next()).replace(/^requests /, ''));
    },
    async stop() {
      const exited = new Promise((r) => bridge.once('exit', r));
      bridge.stdin.end();
      await exited;
      stopRedis();
    },
  };
}

function redisAnswers(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => done(String(chunk).startsWith('+PONG')));
  });
}

// The README's wire format, from outside the kit: HKDF-SHA256(secret, salt = cookie name,
// info = "next-session-kit") keys a compact JWE (dir, A256GCM) whose kid is the first 3 bytes of
// SHA-256(key); the plaintext is [data, id, meta], the id 42 bits of creation time in ms and 30
// random bits.
function cookieKey() {
  return new Uint8Array(hkdfSync('sha256', SECRET, 'session', 'next-session-kit', 32));
}

async function sealCookie(payload) {
  const key = cookieKey();
  const kid = createHash('sha256').update(key).digest().subarray(0, 3).toString('base64url');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid })
    .encrypt(key);
}

async function openCookie(value) {
  const { plaintext } = await compactDecrypt(value, cookieKey());
  return JSON.parse(new TextDecoder().decode(plaintext));
}

function sessionId(createdAt) {
  const random = BigInt(randomBytes(4).readUInt32BE() >>> 2);
  const bits = (BigInt(createdAt) << 30n) | random;
  return Buffer.from(bits.toString(16).padStart(18, '0'), 'hex').toString('base64url');
}

// One character in the middle of the ciphertext (4th segment) changed.
function tamper(value) {
  const parts = value.split('.');
  const ciphertext = parts[3];
  const i = Math.floor(ciphertext.length / 2);
  parts[3] = ciphertext.slice(0, i) + (ciphertext[i] === 'A' ? 'B' : 'A') + ciphertext.slice(i + 1);
  return parts.join('.');
}
