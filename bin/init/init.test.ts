import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { encryptedCookieStorage } from '../../src/storage/encrypted-cookie.ts';
import { lineDiff } from './diff.mjs';
import { type InitIO, runInit } from './main.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO, 'bin', 'next-session-kit.mjs');
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** create-next-app's tsconfig.json (Next 16.4), with its `@/*` alias unless told otherwise. */
function tsconfig(paths: Record<string, string[]> | null = { '@/*': ['./*'] }): string {
  return JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2017',
        lib: ['dom', 'dom.iterable', 'esnext'],
        strict: true,
        noEmit: true,
        module: 'esnext',
        moduleResolution: 'bundler',
        jsx: 'react-jsx',
        plugins: [{ name: 'next' }],
        ...(paths ? { paths } : {}),
      },
    },
    null,
    2,
  );
}

interface AppOptions {
  /** The installed Next's version (a stand-in node_modules/next), or none. */
  next?: string | null;
  /** What package.json lists; `null` for no "next" at all. */
  nextRange?: string | null;
  /** Whether the app can load TypeScript (to parse an existing proxy.ts). */
  typescript?: boolean;
  kitInstalled?: boolean;
  lockfile?: string;
  /** Under this directory instead of the system's temp dir (the type-check needs the repo's node_modules). */
  parent?: string;
}

/** A Next app in a new temp directory, with `files` (path → content) in it. */
function makeApp(files: Record<string, string>, options: AppOptions = {}): string {
  const parent = options.parent ?? tmpdir();
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'nsk-init-'));
  made.push(dir);
  const dependencies: Record<string, string> = { react: '19.3.1', 'react-dom': '19.3.1' };
  if (options.nextRange !== null) dependencies.next = options.nextRange ?? '16.4.6';
  if (options.kitInstalled) dependencies['next-session-kit'] = '^0.1.0';
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies }));
  writeFileSync(join(dir, options.lockfile ?? 'package-lock.json'), '{}\n');
  const next = options.next === undefined ? '16.4.6' : options.next;
  if (next !== null) {
    mkdirSync(join(dir, 'node_modules', 'next'), { recursive: true });
    writeFileSync(
      join(dir, 'node_modules', 'next', 'package.json'),
      JSON.stringify({ name: 'next', version: next }),
    );
  }
  if (options.typescript !== false) {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', 'typescript'), join(dir, 'node_modules', 'typescript'), 'dir');
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** create-next-app's TypeScript app: app/, no src/, `@/*`. */
const CNA_TS = {
  'tsconfig.json': tsconfig(),
  'app/layout.tsx': 'export default function RootLayout() { return null; }\n',
  'app/page.tsx': 'export default function Page() { return null; }\n',
  '.gitignore': '/node_modules\n.env*\n',
};

interface Run {
  code: number;
  out: string;
  err: string;
  questions: string[];
}

/** Runs init in `cwd`; `answers` are typed at the prompts, in order (and make it a terminal). */
async function init(cwd: string, argv: string[], answers?: string[]): Promise<Run> {
  let out = '';
  let err = '';
  const questions: string[] = [];
  const queue = [...(answers ?? [])];
  const io: InitIO = {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    isTTY: answers !== undefined,
    ask: async (question) => {
      questions.push(question);
      const answer = queue.shift();
      if (answer === undefined) throw new Error(`unexpected question: ${question}`);
      return answer;
    },
  };
  const code = await runInit({ cwd, argv, io });
  return { code, out, err, questions };
}

/** Every file under `dir` (but node_modules) with its content. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (!entry.isFile() || relative(dir, path).startsWith('node_modules')) continue;
    files[relative(dir, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

const read = (dir: string, path: string) => readFileSync(join(dir, path), 'utf8');

function secretOf(envText: string): string {
  const match = /^SESSION_SECRET=(.*)$/m.exec(envText);
  if (!match?.[1]) throw new Error('no SESSION_SECRET');
  return match[1];
}

describe('init: the files of the README quickstart, for each layout', () => {
  it('a create-next-app TypeScript app (app/, @/*): lib/session, actions, login page, proxy.ts, .env.local', async () => {
    const dir = makeApp(CNA_TS);
    const run = await init(dir, ['--yes']);
    expect(run).toMatchObject({ code: 0, err: '' });
    const created = Object.keys(snapshot(dir)).filter((f) => !(f in CNA_TS) && f !== 'package.json');
    expect(created.sort()).toEqual(
      [
        '.env.local',
        'app/login/actions.ts',
        'app/login/page.tsx',
        'lib/session.ts',
        'package-lock.json',
        'proxy.ts',
      ].sort(),
    );
    const session = read(dir, 'lib/session.ts');
    expect(session).toContain(
      "import { createSessionKit, encryptedCookieStorage, sessionSecret } from 'next-session-kit';",
    );
    expect(session).toContain(
      'export const { getSession, newSession, destroySession, guard } = createSessionKit<Data>({',
    );
    expect(session).toContain('storage: encryptedCookieStorage({ secret: sessionSecret() }),');
    const actions = read(dir, 'app/login/actions.ts');
    expect(actions.startsWith("'use server';\n")).toBe(true);
    expect(actions).toContain("import { destroySession, newSession } from '@/lib/session';");
    expect(actions).toContain('export async function login(formData: FormData): Promise<void> {');
    expect(actions).toContain('export async function logout(): Promise<void> {');
    expect(actions).toContain("const next = safeNextPath(formData.get('next'), '/');");
    expect(actions).toContain('await newSession({ userId: user.id });');
    expect(read(dir, 'app/login/page.tsx')).toContain("import { getSession } from '@/lib/session';");
    expect(read(dir, 'app/login/page.tsx')).toContain('<Suspense>');
    const proxy = read(dir, 'proxy.ts');
    expect(proxy).toContain("import { guard } from '@/lib/session';");
    expect(proxy).toContain('export const proxy = guard({');
    expect(proxy).toContain('export const config = {');

    const env = read(dir, '.env.local');
    const secret = secretOf(env);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(() => encryptedCookieStorage({ secret })).not.toThrow();
    expect(statSync(join(dir, '.env.local')).mode & 0o077).toBe(0);
    // The terminal never shows the secret.
    expect(run.out).not.toContain(secret);
    expect(run.out).toContain('Next.js 16.4.6, App Router (app/), TypeScript, imports through @/*');
    expect(run.out).toMatch(/create\s+lib\/session\.ts/);
    expect(run.out).toContain('signs in ANY name');
  });

  it('src/ with `@/*` → ./src/*: everything under src/, proxy.ts beside src/app', async () => {
    const dir = makeApp({
      'tsconfig.json': tsconfig({ '@/*': ['./src/*'] }),
      'src/app/layout.tsx': 'export default function RootLayout() { return null; }\n',
    });
    expect((await init(dir, ['--yes'])).code).toBe(0);
    for (const file of [
      'src/lib/session.ts',
      'src/app/login/actions.ts',
      'src/app/login/page.tsx',
      'src/proxy.ts',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(existsSync(join(dir, 'lib'))).toBe(false);
    expect(existsSync(join(dir, 'proxy.ts'))).toBe(false);
    expect(read(dir, 'src/proxy.ts')).toContain("from '@/lib/session';");
    expect(read(dir, 'src/app/login/actions.ts')).toContain("from '@/lib/session';");
    expect(existsSync(join(dir, '.env.local'))).toBe(true);
  });

  it('without an alias: relative imports, with src/ and without', async () => {
    const plain = makeApp({ ...CNA_TS, 'tsconfig.json': tsconfig(null) });
    expect((await init(plain, ['--yes'])).code).toBe(0);
    expect(read(plain, 'proxy.ts')).toContain("import { guard } from './lib/session';");
    expect(read(plain, 'app/login/actions.ts')).toContain("from '../../lib/session';");
    expect(read(plain, 'app/login/page.tsx')).toContain("from '../../lib/session';");

    const src = makeApp({
      'tsconfig.json': tsconfig(null),
      'src/app/page.tsx': 'export default function Page() { return null; }\n',
    });
    expect((await init(src, ['--yes'])).code).toBe(0);
    expect(read(src, 'src/proxy.ts')).toContain("import { guard } from './lib/session';");
    expect(read(src, 'src/app/login/actions.ts')).toContain("from '../../lib/session';");
  });

  it('follows a tsconfig with comments, trailing commas, `extends` and a baseUrl', async () => {
    const dir = makeApp({
      'tsconfig.base.json':
        '{\n  // shared\n  "compilerOptions": { "baseUrl": "src", "paths": { "~/*": ["./*"], }, },\n}\n',
      'tsconfig.json':
        '/* app */ { "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true, } }\n',
      'src/app/page.tsx': 'export default function Page() { return null; }\n',
    });
    const run = await init(dir, ['--yes']);
    expect(run.out).toContain('imports through ~/*');
    expect(read(dir, 'src/proxy.ts')).toContain("import { guard } from '~/lib/session';");
    expect(read(dir, 'src/app/login/page.tsx')).toContain("import { getSession } from '~/lib/session';");
  });

  it('JavaScript (jsconfig.json with @/*): .js files without type annotations', async () => {
    const dir = makeApp({
      'jsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./*'] } } }),
      'app/layout.js': 'export default function RootLayout({ children }) { return children; }\n',
    });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('JavaScript, imports through @/*');
    for (const file of ['lib/session.js', 'app/login/actions.js', 'app/login/page.js', 'proxy.js']) {
      const text = read(dir, file);
      // Types only in JSDoc comments.
      const code = text.replace(/\/\*\*[\s\S]*?\*\//g, '');
      expect(code, file).not.toMatch(/: (FormData|Promise|SearchParams|\{ searchParams)|<Data>|^type /m);
      expect(text, file).not.toMatch(/\.tsx?\b/);
    }
    expect(read(dir, 'app/login/actions.js')).toContain("from '@/lib/session';");
    expect(read(dir, 'app/login/actions.js')).toContain('export async function login(formData) {');
    expect(existsSync(join(dir, 'lib/session.ts'))).toBe(false);
  });

  it('JavaScript without jsconfig.json: relative imports', async () => {
    const dir = makeApp(
      { 'app/page.js': 'export default function Page() { return null; }\n' },
      { typescript: false },
    );
    expect((await init(dir, ['--yes'])).code).toBe(0);
    expect(read(dir, 'proxy.js')).toContain("from './lib/session';");
    expect(read(dir, 'app/login/actions.js')).toContain("from '../../lib/session';");
  });
});

describe('init: an existing proxy.ts or middleware.ts', () => {
  const passThrough = `import { type NextRequest, NextResponse } from 'next/server';

export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname === '/health') {
    console.log('health check');
    return NextResponse.next();
  }
  return NextResponse.next();
}

export const config = { matcher: ['/((?!_next/static).*)'] };
`;

  it('only lets requests through: each pass-through becomes the guard, nothing else changes', async () => {
    const dir = makeApp({ ...CNA_TS, 'proxy.ts': passThrough });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/change\s+proxy\.ts/);
    expect(run.out).toContain('config.matcher matches: make sure it covers');
    const after = read(dir, 'proxy.ts');
    expect(after).toBe(
      passThrough
        .replace(
          "from 'next/server';\n",
          "from 'next/server';\nimport { guard } from '@/lib/session';\n\n" +
            '// Added by `npx next-session-kit init`: where this proxy lets a request through, the guard decides.\n' +
            "const sessionGuard = guard({\n  protect: ['/dashboard'], // the paths that need a signed-in user: put yours here\n" +
            "  loginPath: '/login',\n  csrf: true,\n});\n",
        )
        .replaceAll('return NextResponse.next();', 'return sessionGuard(request);'),
    );
  });

  it('an async arrow `proxy` with no return at the end gets one', async () => {
    const source = `import { NextResponse } from 'next/server';

export const proxy = async (req: Request) => {
  if (req.method === 'OPTIONS') return NextResponse.next();
  console.log(req.url);
};
`;
    const dir = makeApp({ ...CNA_TS, 'proxy.ts': source });
    expect((await init(dir, ['--yes'])).code).toBe(0);
    const after = read(dir, 'proxy.ts');
    expect(after).toContain("if (req.method === 'OPTIONS') return sessionGuard(req);");
    expect(after).toContain('  console.log(req.url);\n  return sessionGuard(req);\n};');
    expect(after).toContain("import { guard } from '@/lib/session';");
  });

  it.each([
    [
      'returns a redirect of its own',
      `import { type NextRequest, NextResponse } from 'next/server';
export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname === '/old') return NextResponse.redirect(new URL('/new', request.url));
  return NextResponse.next();
}
`,
      /returns a response of its own \(line 3\)/,
    ],
    [
      'changes the pass-through response',
      `import { NextResponse } from 'next/server';
export function proxy() {
  const response = NextResponse.next();
  response.headers.set('x-frame-options', 'DENY');
  return response;
}
`,
      /takes no request parameter/,
    ],
    [
      'forwards request headers',
      `import { type NextRequest, NextResponse } from 'next/server';
export async function proxy(request: NextRequest) {
  return NextResponse.next({ request: { headers: new Headers(request.headers) } });
}
`,
      /returns a response of its own/,
    ],
    [
      'is a re-export of another library',
      "export { auth as proxy } from './auth';\n",
      /does not import NextResponse/,
    ],
    [
      'already has a `guard`',
      `import { NextResponse } from 'next/server';
import { guard } from './guards';
export function proxy(request: Request) {
  guard(request);
  return NextResponse.next();
}
`,
      /already has something called guard/,
    ],
    [
      'declares a non-Promise return type',
      `import { type NextRequest, NextResponse } from 'next/server';
export function proxy(request: NextRequest): NextResponse {
  return NextResponse.next();
}
`,
      /return type that is not a Promise/,
    ],
    ['does not parse', 'export function proxy(request {\n', /does not parse/],
  ])('%s: left byte for byte, with the lines to add printed', async (_name, source, reason) => {
    const dir = makeApp({ ...CNA_TS, 'proxy.ts': source });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(read(dir, 'proxy.ts')).toBe(source);
    expect(run.out).toMatch(reason);
    expect(run.out).toMatch(/manual\s+proxy\.ts/);
    expect(run.out).toContain("    import { guard } from '@/lib/session';");
    expect(run.out).toContain('    return sessionGuard(request);');
    // The rest is written as usual.
    expect(existsSync(join(dir, 'lib/session.ts'))).toBe(true);
  });

  it('without TypeScript to parse it, an existing proxy is never changed', async () => {
    const source =
      "import { NextResponse } from 'next/server';\nexport function proxy(r) {\n  return NextResponse.next();\n}\n";
    const dir = makeApp({ 'app/page.js': '', 'proxy.js': source }, { typescript: false });
    const run = await init(dir, ['--yes']);
    expect(read(dir, 'proxy.js')).toBe(source);
    expect(run.out).toContain("parsing it with the app's TypeScript, which is not installed");
  });

  it('one that already uses next-session-kit is kept as it is', async () => {
    const source =
      "import { guard } from './lib/session';\nexport const proxy = guard({ protect: ['/a'], loginPath: '/login' });\n";
    const dir = makeApp({ ...CNA_TS, 'proxy.ts': source });
    const run = await init(dir, ['--yes']);
    expect(read(dir, 'proxy.ts')).toBe(source);
    expect(run.out).toMatch(/keep\s+proxy\.ts\s+\(it already uses next-session-kit\)/);
  });

  it('middleware.ts: no proxy.ts beside it (Next 16 refuses both), the lines printed', async () => {
    const source =
      "import { NextResponse } from 'next/server';\nexport function middleware() {\n  return NextResponse.next();\n}\n";
    const dir = makeApp({ ...CNA_TS, 'middleware.ts': source });
    const run = await init(dir, ['--yes', '--storage', 'redis']);
    expect(run.code).toBe(0);
    expect(read(dir, 'middleware.ts')).toBe(source);
    expect(existsSync(join(dir, 'proxy.ts'))).toBe(false);
    expect(run.out).toMatch(/manual\s+middleware\.ts/);
    expect(run.out).toContain('middleware-to-proxy');
    expect(run.out).toContain('rename it to proxy.ts first');
  });
});

describe('init: .env.local', () => {
  it('appends SESSION_SECRET to an .env.local without one, keeping what is there', async () => {
    const before = 'DATABASE_URL=postgres://localhost/app\n# a comment\nOTHER=1';
    const dir = makeApp({ ...CNA_TS, '.env.local': before });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    const after = read(dir, '.env.local');
    expect(after.startsWith(`${before}\n\n# next-session-kit: seals the session cookie.`)).toBe(true);
    expect(secretOf(after)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(after.match(/SESSION_SECRET=/g)).toHaveLength(1);
    expect(run.out).toMatch(/add to\s+\.env\.local\s+\(SESSION_SECRET: a new random secret\)/);
  });

  it.each([
    ['.env.local', 'SESSION_SECRET=my-own-secret-that-is-long-enough-for-the-kit\n'],
    ['.env.local', 'export SESSION_SECRET=\n'],
    ['.env', 'A=1\n  SESSION_SECRET = "quoted"\n'],
  ])('never replaces a SESSION_SECRET already set (%s: %j)', async (file, content) => {
    const dir = makeApp({ ...CNA_TS, [file]: content });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(read(dir, file)).toBe(content);
    if (file !== '.env.local') expect(existsSync(join(dir, '.env.local'))).toBe(false);
    expect(run.out).toContain(`keep      ${file}  (it already sets SESSION_SECRET)`);
  });

  it('warns when .gitignore would let .env.local into git', async () => {
    const dir = makeApp({ ...CNA_TS, '.gitignore': '.env*\n!.env.local\n' });
    expect((await init(dir, ['--yes'])).out).toContain('.env.local is not in .gitignore: add it');
    const ignored = makeApp(CNA_TS);
    expect((await init(ignored, ['--yes'])).out).not.toContain('.gitignore');
  });
});

describe('init: never overwrites a file', () => {
  it('--dry-run prints every file and writes nothing, not even the secret', async () => {
    const dir = makeApp({ ...CNA_TS, '.env.local': 'A=1\n', 'proxy.ts': passThroughProxy() });
    const before = snapshot(dir);
    const run = await init(dir, ['--dry-run']);
    expect(run.code).toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(run.out).toContain('Dry run: nothing is written.');
    expect(run.out).toContain(
      "    import { createSessionKit, encryptedCookieStorage, sessionSecret } from 'next-session-kit';",
    );
    expect(run.out).toContain('    export async function login(formData: FormData): Promise<void> {');
    expect(run.out).toContain('    + const sessionGuard = guard({');
    expect(run.out).toContain('    - ');
    expect(run.out).toContain('    + SESSION_SECRET=<a new random secret, 43 characters>');
    expect(run.out).not.toMatch(/SESSION_SECRET=[A-Za-z0-9_-]{43}/);
  });

  it('--yes skips existing files, says which, and writes the rest', async () => {
    const mine = '// my own login page\nexport default function Login() { return null; }\n';
    const dir = makeApp({ ...CNA_TS, 'app/login/page.tsx': mine, 'lib/session.js': '// mine\n' });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(read(dir, 'app/login/page.tsx')).toBe(mine);
    expect(read(dir, 'lib/session.js')).toBe('// mine\n');
    expect(existsSync(join(dir, 'lib/session.ts'))).toBe(false);
    expect(run.out).toMatch(/skip\s+app\/login\/page\.tsx\s+\(exists; --yes never overwrites\)/);
    expect(run.out).toMatch(/keep\s+lib\/session\.js\s+\(init would write lib\/session\.ts beside it/);
    expect(run.out).toContain('make it export getSession, newSession, destroySession, guard');
    expect(existsSync(join(dir, 'app/login/actions.ts'))).toBe(true);
    expect(existsSync(join(dir, 'proxy.ts'))).toBe(true);
  });

  it('a second run changes nothing', async () => {
    const dir = makeApp(CNA_TS);
    await init(dir, ['--yes']);
    const first = snapshot(dir);
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(snapshot(dir)).toEqual(first);
    expect(run.out).not.toMatch(/^ {2}(create|change|add to) /m);
    expect(run.out).not.toContain('signs in ANY name');
  });

  it('without --yes and no terminal to ask on, it refuses before writing anything', async () => {
    const dir = makeApp({ ...CNA_TS, 'lib/session.ts': '// mine\n' });
    const before = snapshot(dir);
    const run = await init(dir, []);
    expect(run.code).toBe(1);
    expect(snapshot(dir)).toEqual(before);
    expect(run.err).toContain('these files exist');
    expect(run.err).toContain('  lib/session.ts\n');
    expect(run.err).toContain('Nothing was written.');
  });

  it('without --yes and no terminal, a fresh app needs no question', async () => {
    const dir = makeApp(CNA_TS);
    expect((await init(dir, [])).code).toBe(0);
    expect(existsSync(join(dir, 'proxy.ts'))).toBe(true);
  });

  it('on a terminal it shows what it would write and asks: overwrite only on yes', async () => {
    const dir = makeApp({
      ...CNA_TS,
      'lib/session.ts': '// mine\n',
      'app/login/page.tsx': '// my page\n',
      '.env.local': 'A=1\n',
      'proxy.ts': passThroughProxy(),
    });
    // lib/session.ts: y; app/login/page.tsx: (Enter: no); proxy.ts: n; .env.local: (Enter: yes)
    const run = await init(dir, [], ['y', '', 'n', '']);
    expect(run.code).toBe(0);
    expect(run.questions).toEqual([
      'Overwrite lib/session.ts? [y/N] ',
      'Overwrite app/login/page.tsx? [y/N] ',
      'Change proxy.ts? [Y/n] ',
      'Change .env.local? [Y/n] ',
    ]);
    expect(read(dir, 'lib/session.ts')).toContain('createSessionKit');
    expect(read(dir, 'app/login/page.tsx')).toBe('// my page\n');
    expect(read(dir, 'proxy.ts')).toBe(passThroughProxy());
    expect(secretOf(read(dir, '.env.local'))).toHaveLength(43);
    expect(run.out).toContain('lib/session.ts exists. init would write (the session kit, configured once):');
    expect(run.out).toContain('proxy.ts: init would change it (adds the guard):');
    expect(run.out).toMatch(/skip\s+proxy\.ts\s+\(kept as it is\)/);
  });

  it('an existing /login page elsewhere (a route group, the Pages Router) is kept, and no second one written', async () => {
    const group = makeApp({ ...CNA_TS, 'app/(auth)/login/page.tsx': '// mine\n' });
    const run = await init(group, ['--yes']);
    expect(existsSync(join(group, 'app/login/page.tsx'))).toBe(false);
    expect(run.out).toMatch(/keep\s+app\/\(auth\)\/login\/page\.tsx\s+\(the app's \/login page/);
    expect(existsSync(join(group, 'app/login/actions.ts'))).toBe(true);

    const pages = makeApp({ ...CNA_TS, 'pages/login.tsx': '// mine\n' });
    await init(pages, ['--yes']);
    expect(existsSync(join(pages, 'app/login/page.tsx'))).toBe(false);
  });
});

describe('init: routers, storages, package managers', () => {
  it('Pages Router only: lib/session exporting pages, sign-in and sign-out API routes, a login page, proxy.ts', async () => {
    const dir = makeApp({
      'tsconfig.json': tsconfig(),
      'pages/index.tsx': 'export default function I() { return null; }\n',
    });
    const run = await init(dir, ['--yes']);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(Object.keys(snapshot(dir)).sort()).toEqual(
      [
        '.env.local',
        'lib/session.ts',
        'package-lock.json',
        'package.json',
        'pages/api/login.ts',
        'pages/api/logout.ts',
        'pages/index.tsx',
        'pages/login.tsx',
        'proxy.ts',
        'tsconfig.json',
      ].sort(),
    );
    expect(run.out).toContain('Pages Router (pages/)');
    expect(read(dir, 'lib/session.ts')).toContain(
      'export const { getSession, newSession, destroySession, guard, pages } = createSessionKit<Data>({',
    );
    const login = read(dir, 'pages/api/login.ts');
    expect(login).toContain("import { pages } from '@/lib/session';");
    expect(login).toContain("const next = safeNextPath(form.next, '/');");
    expect(login).toContain('await pages(req, res).newSession({ userId: user.id });');
    expect(login.indexOf('await session.save();')).toBeLessThan(login.indexOf('res.redirect(303, next);'));
    expect(read(dir, 'pages/api/logout.ts')).toContain('await pages(req, res).destroySession();');
    const page = read(dir, 'pages/login.tsx');
    expect(page).toContain('export const getServerSideProps: GetServerSideProps<Props>');
    expect(page).toContain('<form method="post" action="/api/login">');
    expect(read(dir, 'proxy.ts')).toContain("import { guard } from '@/lib/session';");
    expect(run.out).toContain('pages/api/login.ts signs in ANY name');
    expect(run.out).toContain('localhost:3000/login');
    expect(existsSync(join(dir, 'app'))).toBe(false);
  });

  it('Pages Router only, with its own /login page: kept, and the API routes still written', async () => {
    const dir = makeApp({ 'tsconfig.json': tsconfig(), 'pages/login/index.tsx': '// mine\n' });
    const run = await init(dir, ['--yes']);
    expect(run.code).toBe(0);
    expect(read(dir, 'pages/login/index.tsx')).toBe('// mine\n');
    expect(existsSync(join(dir, 'pages/login.tsx'))).toBe(false);
    expect(run.out).toMatch(
      /keep\s+pages\/login\/index\.tsx\s+\(the app's \/login page: have its form post to \/api\/login/,
    );
    expect(existsSync(join(dir, 'pages/api/login.ts'))).toBe(true);
  });

  it('App Router and Pages Router: the App Router parts, and lib/session exports pages for pages/', async () => {
    const dir = makeApp({ ...CNA_TS, 'pages/legacy.tsx': '' });
    const run = await init(dir, ['--yes']);
    expect(existsSync(join(dir, 'proxy.ts'))).toBe(true);
    expect(existsSync(join(dir, 'app/login/actions.ts'))).toBe(true);
    expect(existsSync(join(dir, 'pages/api/login.ts'))).toBe(false);
    expect(read(dir, 'lib/session.ts')).toContain('guard, pages }');
    expect(run.out).toContain('App Router and Pages Router (app/, pages/)');
    expect(run.out).toContain('This app also has pages/');
    expect(run.out).toContain('pages(req, res)');
  });

  it('--storage redis: an ioredis client, REDIS_URL instead of a secret, and the install command', async () => {
    const dir = makeApp(CNA_TS);
    const run = await init(dir, ['--storage', 'redis', '--yes']);
    expect(run.code).toBe(0);
    const session = read(dir, 'lib/session.ts');
    expect(session).toContain("import { Redis } from 'ioredis';");
    expect(session).toContain('storage: redisStorage({ client: redis }),');
    expect(session).toContain('listUserSessions');
    const env = read(dir, '.env.local');
    expect(env).toContain('REDIS_URL=redis://127.0.0.1:6379');
    expect(env).not.toContain('SESSION_SECRET');
    expect(run.out).toContain('Install: npm install next-session-kit ioredis');
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm add memjs', 'pnpm add -D @types/memjs'],
    ['yarn.lock', 'yarn add memjs', 'yarn add -D @types/memjs'],
    ['bun.lock', 'bun add memjs', 'bun add -d @types/memjs'],
    ['package-lock.json', 'npm install memjs', 'npm install -D @types/memjs'],
  ])('with %s, --storage=memcached prints `%s` and `%s`', async (lockfile, install, types) => {
    const dir = makeApp(CNA_TS, { lockfile, kitInstalled: true });
    const run = await init(dir, ['--storage=memcached', '--yes']);
    expect(run.out).toContain(`Install: ${install}\n`);
    expect(run.out).toContain(`Install: ${types}\n`);
  });

  it('--storage kv: no .env.local variable, says which ones to set', async () => {
    const dir = makeApp(CNA_TS, { kitInstalled: true });
    const run = await init(dir, ['--storage', 'kv', '--yes']);
    expect(existsSync(join(dir, '.env.local'))).toBe(false);
    expect(read(dir, 'lib/session.ts')).toContain("import { kv } from '@vercel/kv';");
    expect(run.out).toContain('KV_REST_API_URL and KV_REST_API_TOKEN');
    expect(run.out).toContain('Install: npm install @vercel/kv');
  });
});

describe('init: refuses clearly, writing nothing', () => {
  function bin(cwd: string, ...args: string[]) {
    return spawnSync(process.execPath, [BIN, 'init', ...args], { cwd, encoding: 'utf8' });
  }

  it('in a folder that is no Next.js app (exit code 1, through the real command line)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'nsk-init-empty-'));
    made.push(empty);
    const result = bin(empty, '--yes');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^next-session-kit init: .* is not the root of a Next\.js app\. There is no package\.json here\./,
    );
    expect(readdirSync(empty)).toEqual([]);

    const noNext = makeApp({ 'app/page.tsx': '' }, { nextRange: null, next: null });
    expect(bin(noNext, '--yes').stderr).toContain('does not list "next" in its dependencies');
  });

  it('in a subfolder of an app, it names the app folder', async () => {
    const dir = makeApp(CNA_TS);
    mkdirSync(join(dir, 'app', 'login'), { recursive: true });
    const run = await init(join(dir, 'app'), ['--yes']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`The Next.js app above this folder is in ${dir}: run init there.`);
  });

  it('in a Next.js 15 app, or an app without app/ or pages/', async () => {
    const old = makeApp(CNA_TS, { next: '15.5.2', nextRange: '^15.5.0' });
    const run = await init(old, ['--yes']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('This app uses Next.js 15.5.2; next-session-kit needs Next.js 16 or later');
    expect(snapshot(old)).not.toHaveProperty(['lib/session.ts']);

    const noRoutes = makeApp({ 'tsconfig.json': tsconfig() });
    const none = await init(noRoutes, ['--yes']);
    expect(none.code).toBe(1);
    expect(none.err).toContain('has no app/ or pages/ directory');
  });

  it.each([
    [
      ['--storage', 'mongo'],
      /unknown storage "mongo" \(use one of: cookie, redis, kv, memcached, postgres, sqlite\)/,
    ],
    [['--storage'], /--storage needs a value/],
    [['--force'], /unknown option: --force/],
    [['--storage=redis', '--storage=kv'], /--storage given twice/],
  ])('rejects %j with exit code 1 and the usage', async (argv, message) => {
    const dir = makeApp(CNA_TS);
    const run = await init(dir, argv);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(message);
    expect(run.err).toContain('Usage: next-session-kit init');
    expect(existsSync(join(dir, 'lib'))).toBe(false);
  });

  it('--help prints the usage and exits 0', async () => {
    const run = await init(mkdtempSync(join(tmpdir(), 'nsk-init-help-')), ['--help']);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/^Usage: next-session-kit init \[--storage <name>\] \[--yes\] \[--dry-run\]/);
  });
});

describe('init: the generated code compiles', () => {
  it('type-checks against the kit and Next for every storage, TypeScript and JavaScript, and an extended proxy', async () => {
    // Inside the repository, so the apps resolve next, react, ioredis… from its node_modules.
    const parent = join(REPO, '.tmp', 'init-typecheck');
    const options = { parent, next: null, typescript: false };
    const roots: string[] = [];
    const aliasApp = makeApp({ ...CNA_TS, 'proxy.ts': passThroughProxy() }, options);
    await init(aliasApp, ['--yes']);
    for (const storage of ['redis', 'kv', 'memcached', 'postgres', 'sqlite']) {
      const dir = makeApp({ ...CNA_TS, 'tsconfig.json': tsconfig(null) }, options);
      await init(dir, ['--yes', '--storage', storage]);
      roots.push(dir);
    }
    const srcApp = makeApp({ 'tsconfig.json': tsconfig(null), 'src/app/page.tsx': '' }, options);
    await init(srcApp, ['--yes']);
    const jsApp = makeApp({ 'app/page.js': '' }, options);
    await init(jsApp, ['--yes', '--storage', 'redis']);
    // The Pages Router templates, TypeScript and JavaScript.
    const pagesApp = makeApp({ 'tsconfig.json': tsconfig(null), 'pages/index.tsx': '' }, options);
    await init(pagesApp, ['--yes']);
    const pagesJsApp = makeApp({ 'pages/index.js': '' }, options);
    await init(pagesJsApp, ['--yes', '--storage', 'redis']);
    roots.push(aliasApp, srcApp, jsApp, pagesApp, pagesJsApp);
    // The SQL stores' JavaScript setup too (JSDoc types, checked with checkJs).
    for (const storage of ['postgres', 'sqlite']) {
      const dir = makeApp({ 'app/page.js': '' }, options);
      await init(dir, ['--yes', '--storage', storage]);
      roots.push(dir);
    }

    const files = roots.flatMap((dir) =>
      Object.keys(snapshot(dir))
        .filter(
          (f) =>
            /\.(ts|tsx|js)$/.test(f) &&
            !f.startsWith('app/page') &&
            !f.startsWith('app/layout') &&
            !f.startsWith('pages/index'),
        )
        .map((f) => join(dir, f)),
    );
    expect(files.length).toBe(6 * 4 + 4 + 4 + 1 + 5 + 5 + 2 * 4);
    const program = ts.createProgram(files, {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.es2023.d.ts'],
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      jsx: ts.JsxEmit.ReactJSX,
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      skipLibCheck: true,
      esModuleInterop: true,
      allowJs: true,
      checkJs: true,
      allowImportingTsExtensions: true,
      paths: {
        '@/*': [`${aliasApp}/*`],
        'next-session-kit': [join(REPO, 'src/index.ts')],
        'next-session-kit/*': [join(REPO, 'src/entries/*.ts')],
      },
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || !d.file.fileName.includes('/node_modules/'))
      .map((d) => {
        const where = d.file ? `${relative(parent, d.file.fileName)}: ` : '';
        return `${where}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
    expect(diagnostics).toEqual([]);
    expect(read(aliasApp, 'proxy.ts')).toContain('return sessionGuard(request);');
  }, 180_000);
});

describe('lineDiff', () => {
  it('marks added and removed lines and keeps the rest', () => {
    expect(lineDiff('a\nb\nc\n', 'a\nx\nc\nd\n')).toBe('  a\n+ x\n- b\n  c\n+ d');
    expect(lineDiff('same\n', 'same\n')).toBe('  same');
  });
});

function passThroughProxy(): string {
  return `import { type NextRequest, NextResponse } from 'next/server';

export function proxy(request: NextRequest) {
  console.log(request.nextUrl.pathname);
  return NextResponse.next();
}
`;
}
