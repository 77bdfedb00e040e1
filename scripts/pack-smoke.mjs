// Proves the published package works for a newcomer: `npm pack` the kit,
// install the tarball into a fresh Next 16 app outside this repo, write the
// README quickstart files into it *verbatim*, build it, then log in, count,
// reload and log out in real Chromium, and read the exposed user in a client
// component through next-session-kit/client. Also checks that importing the
// kit into a client component fails the build loudly.
//
// Usage: node scripts/pack-smoke.mjs [--json results.json] [--keep]
import { execFileSync, spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from '../e2e/chromium.mjs';

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
      'dist/entries/store.js',
      'dist/entries/store.d.ts',
      'dist/entries/testing/vitest.js',
      'dist/entries/testing/vitest.d.ts',
      'bin/next-session-kit.mjs',
      'README.md',
      'LICENSE',
    ]) {
      assert(files.includes(needed), `tarball lacks ${needed}`);
    }
    const stray = files.filter((f) => /\.test\.|test-utils|^src\/|^app\/|^e2e\//.test(f));
    assert(stray.length === 0, `tarball ships non-package files: ${stray.join(', ')}`);
  });

  await check('a fresh Next 16 app installs the tarball', () => {
    mkdirSync(join(app, 'app'), { recursive: true });
    const dev = rootPkg.devDependencies;
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify(
        {
          name: 'fresh-next-app',
          private: true,
          scripts: { build: 'next build', start: 'next start' },
          dependencies: {
            next: dev.next,
            react: dev.react,
            'react-dom': dev['react-dom'],
            'next-session-kit': `file:${tarball}`,
            // Only for the edge-runtime check below; the quickstart never imports it.
            '@vercel/kv': dev['@vercel/kv'],
          },
          devDependencies: {
            typescript: dev.typescript,
            '@types/node': dev['@types/node'],
            '@types/react': dev['@types/react'],
            '@types/react-dom': dev['@types/react-dom'],
          },
        },
        null,
        2,
      ),
    );
    // What create-next-app gives you, minus fonts and styling.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'ES2017',
            lib: ['dom', 'dom.iterable', 'esnext'],
            allowJs: true,
            skipLibCheck: true,
            strict: true,
            noEmit: true,
            esModuleInterop: true,
            module: 'esnext',
            moduleResolution: 'bundler',
            resolveJsonModule: true,
            isolatedModules: true,
            jsx: 'react-jsx',
            incremental: true,
            plugins: [{ name: 'next' }],
          },
          include: ['next-env.d.ts', '**/*.ts', '**/*.tsx', '.next/types/**/*.ts', '.next/dev/types/**/*.ts'],
          exclude: ['node_modules'],
        },
        null,
        2,
      ),
    );
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
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      const blocks = [...readme.matchAll(/```tsx?\n\/\/ file: (\S+)\n([\s\S]*?)```/g)];
      assert(
        blocks.length >= 3,
        `expected the quickstart's file blocks in README.md, found ${blocks.length}`,
      );
      for (const [, file, body] of blocks) {
        mkdirSync(dirname(join(app, file)), { recursive: true });
        writeFileSync(join(app, file), `// file: ${file}\n${body}`);
      }
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
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'session');
      assert(
        cookie?.httpOnly === true && cookie.sameSite === 'Lax' && cookie.path === '/',
        'cookie attributes',
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
      const left = (await context.cookies()).filter((c) => c.name.startsWith('session'));
      assert(left.length === 0, 'logout must clear the session cookie');
    } finally {
      await browser.close();
    }
  });

  await check(
    'middleware.ts on the edge runtime builds and guards with the cookie and KV storages',
    async () => {
      if (server) {
        server.kill('SIGTERM');
        await new Promise((r) => setTimeout(r, 500));
        server = undefined;
      }
      writeFileSync(
        join(app, 'middleware.ts'),
        `import { createClient } from '@vercel/kv';
import type { NextRequest } from 'next/server';
import { createSessionKit } from 'next-session-kit';
import { kvStorage } from 'next-session-kit/kv';
import { guard } from './lib/session';

const cookieGuard = guard({ protect: ['/dashboard'], loginPath: '/login' });
const kvGuard = createSessionKit({
  storage: kvStorage({ client: createClient({ url: 'http://127.0.0.1:9', token: 'unused' }) }),
}).guard({ protect: ['/kv-only'], loginPath: '/login' });

export async function middleware(request: NextRequest) {
  const kv = request.nextUrl.pathname.startsWith('/kv-only');
  const response = await (kv ? kvGuard : cookieGuard)(request);
  response.headers.set('x-runtime', typeof (globalThis as { EdgeRuntime?: string }).EdgeRuntime);
  return response;
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
`,
      );
      try {
        run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app);
        const manifest = JSON.parse(readFileSync(join(app, '.next/server/middleware-manifest.json'), 'utf8'));
        assert(
          Object.keys(manifest.middleware ?? {}).length === 1,
          'middleware is not built for the edge runtime',
        );
        const base = await startApp();
        for (const path of ['/dashboard', '/kv-only']) {
          const res = await fetch(`${base}${path}`, { redirect: 'manual' });
          assert(res.status === 307, `${path}: expected 307, got ${res.status}`);
          assert(res.headers.get('location')?.startsWith('/login?next='), `${path}: bad location`);
          assert(
            res.headers.get('x-runtime') === 'string',
            `${path}: middleware did not run on the edge runtime`,
          );
        }
      } finally {
        rmSync(join(app, 'middleware.ts'), { force: true });
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
    assert(/server-only|Client Component/i.test(output), `unexpected build failure:\n${output.slice(-2000)}`);
  });
  await check(
    'next-session-kit/testing runs a Server Action and a page in vitest, as the README shows',
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
      // The README's recipe: point `server-only` at its empty module.
      writeFileSync(
        join(dir, 'vitest.config.mts'),
        `import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: {
      'server-only': fileURLToPath(new URL('./node_modules/server-only/empty.js', import.meta.url)),
    },
  },
  // Through Vite, so the alias reaches the kit's own \`import 'server-only'\` too.
  test: { server: { deps: { inline: ['next-session-kit'] } } },
});
`,
      );
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
    "the README's map-store.ts type-checks and passes describeStoreAdapter, copied verbatim",
    () => {
      const dir = join(work, 'vitest-app');
      const readme = readFileSync(join(root, 'README.md'), 'utf8');
      for (const file of ['map-store.ts', 'map-store.test.ts']) {
        const escaped = file.replace(/\./g, '\\.');
        const block = new RegExp(`\`\`\`ts\\n(// ${escaped}\\n[\\s\\S]*?)\`\`\``).exec(readme)?.[1];
        assert(block !== undefined, `README.md has no \`// ${file}\` code block`);
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
      assert(/Test Files\s+1 passed/.test(out), `the README store did not pass:\n${out.slice(-1500)}`);
      const passed = Number(/Tests\s+(\d+) passed/.exec(out)?.[1]);
      assert(passed >= 30, `describeStoreAdapter ran only ${passed} cases:\n${out.slice(-1500)}`);
    },
  );
} finally {
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    server.kill('SIGKILL');
  }
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}

const passed = results.filter((r) => r.ok).length;
const failed = results.length - passed;
console.log(`pack smoke: ${passed} passed, ${failed} failed`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ passed, failed, results }, null, 2));
process.exit(failed === 0 ? 0 : 1);

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
  const cookieValue = (await context.cookies()).find((c) => c.name === 'session')?.value;
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

// `next start` for the fresh app on a free port; resolves to its base URL once /login answers.
async function startApp() {
  const port = await freePort();
  server = spawn(
    process.execPath,
    ['node_modules/next/dist/bin/next', 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  server.stdout.on('data', (d) => (output += d));
  server.stderr.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/login`, () => output);
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
