// Test-only helpers for the aiohttp-session interop tests: the real Python
// library (Debian packages), the app in app.py, and a browser-like cookie jar
// that goes through Next's own cookie parser and serializer.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RequestCookies, ResponseCookies } from 'next/dist/server/web/spec-extension/cookies.js';
import { replaceSession } from '../../src/engine/sign-in.ts';
import type { SessionEngine } from '../../src/engine.ts';
import type { Session, SessionCore } from '../../src/session.ts';
import type { CookieJar } from '../../src/types.ts';
import type { PyModel } from './py-model.ts';

export const PYTHON = '/usr/bin/python3';
const HERE = fileURLToPath(new URL('.', import.meta.url));
const PACKAGES = ['python3-aiohttp-session', 'python3-aiohttp', 'python3-redis', 'python3-cryptography'];
const CHECK = 'import aiohttp_session, aiohttp, redis, cryptography';

/** Debian's python3 with aiohttp-session, installing the packages when missing (as root). */
export function ensurePython(): void {
  const probe = () => spawnSync(PYTHON, ['-c', CHECK], { encoding: 'utf8' }).status === 0;
  if (probe()) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root) {
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...PACKAGES], {
        encoding: 'utf8',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update', '-qq'], { encoding: 'utf8' });
      install();
    }
    if (probe()) return;
  }
  throw new Error(
    `The aiohttp-session interop tests need Debian's python3 with aiohttp-session. Install them with: ` +
      `sudo apt-get install -y ${PACKAGES.join(' ')}`,
  );
}

/** Python's json.dumps of each value (through test/aiohttp/dumps.py). */
export function pythonDumps(values: readonly unknown[]): string[] {
  return pythonRedump(values.map((v) => JSON.stringify(v)));
}

/** Python's json.dumps(json.loads(text)) of each one-line JSON text. */
export function pythonRedump(texts: readonly string[]): string[] {
  const input = `${texts.join('\n')}\n`;
  const run = spawnSync(PYTHON, [`${HERE}dumps.py`], { input, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`dumps.py failed: ${run.stderr}`);
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as string);
}

/** Runs a Python snippet (argv after it as sys.argv[1:]); returns its stdout. */
export function python(code: string, ...args: string[]): string {
  const run = spawnSync(PYTHON, ['-c', code, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** A new key exactly as `Fernet.generate_key()` prints it. */
export function fernetKey(): string {
  return python('from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())');
}

export interface PythonApp {
  url: string;
  stop(): void;
}

/** Starts app.py on `port`; resolves once it listens. */
export function startPythonApp(
  port: number,
  redisUrl: string,
  memcached: string,
  key: string,
): Promise<PythonApp> {
  const child: ChildProcess = spawn(
    PYTHON,
    ['-W', 'ignore', `${HERE}app.py`, String(port), redisUrl, memcached, key],
    {
      env: { ...process.env, PYTHONPATH: `${HERE}shim`, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`app.py did not start: ${stderr}`));
    }, 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      clearTimeout(timer);
      resolve({ url: `http://127.0.0.1:${port}`, stop: () => child.kill() });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app.py exited (${code}): ${stderr}`));
    });
  });
}

/**
 * A browser's cookie store: raw values exactly as they appeared in
 * Set-Cookie (Python's quotes and Next's percent-encoding included). Cookie
 * expiry is deliberately not modelled: the servers must refuse old sessions.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  receive(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      const gone = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

export interface PythonSession {
  new: boolean;
  created: number;
  data: Record<string, unknown>;
}

/** What app.py's /inspect and /put answer: the session as Python holds it. */
export interface PythonInspection {
  new: boolean;
  /** repr() of the session dict. */
  repr: string;
  /** json.dumps() of the session dict. */
  dumps: string;
  /** Every value with its Python type (app.py's describe()). */
  types: unknown;
}

/**
 * One request to the Python app; the browser keeps what it sets. A string
 * body is sent as it is: JSON text that JavaScript cannot write (1.0, NaN).
 */
export async function pyRequest<T = PythonSession>(
  app: PythonApp,
  browser: Browser,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(app.url + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { cookie: browser.header(), 'content-type': 'application/json' },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  browser.receive(response.headers.getSetCookie());
  return (await response.json()) as T;
}

/**
 * One request on the kit side, the way getSession() runs it: Next's
 * RequestCookies parse the Cookie header, ResponseCookies write Set-Cookie.
 */
export async function kitRequest<T>(
  engine: SessionEngine,
  browser: Browser,
  fn: (session: Session, newSession: () => Session) => Promise<T> | T,
): Promise<T> {
  const requestCookies = new RequestCookies(new Headers({ cookie: browser.header() }));
  const responseHeaders = new Headers();
  const responseCookies = new ResponseCookies(responseHeaders);
  const jar: CookieJar = {
    get: (name) => requestCookies.get(name),
    getAll: () => requestCookies.getAll(),
    set: (name, value, options) => responseCookies.set(name, value, options),
  };
  const commit = (s: SessionCore) => engine.commit(s, jar, false);
  const session = await engine.load(jar, commit, false);
  const result = await fn(session, () =>
    replaceSession(engine, session, commit, { userId: undefined, keepData: false, device: {} }),
  );
  browser.receive(responseHeaders.getSetCookie());
  return result;
}

/**
 * Python's json module in a long-lived child process (json_worker.py), for
 * checks that run thousands of values through it.
 */
export class PythonJson {
  readonly #child: ChildProcess;
  readonly #waiting: Array<{ resolve: (line: string) => void; reject: (error: Error) => void }> = [];
  #buffer = '';
  #stderr = '';

  constructor() {
    this.#child = spawn(PYTHON, [`${HERE}json_worker.py`], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.#child.stdout?.setEncoding('utf8');
    this.#child.stdout?.on('data', (chunk: string) => {
      this.#buffer += chunk;
      for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        this.#waiting.shift()?.resolve(line);
      }
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    this.#child.on('exit', (code) => {
      for (const waiter of this.#waiting.splice(0)) {
        waiter.reject(new Error(`json_worker.py exited (${code}): ${this.#stderr}`));
      }
    });
  }

  #ask(request: unknown): Promise<Record<string, unknown>> {
    return new Promise<string>((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      this.#child.stdin?.write(`${JSON.stringify(request)}\n`);
    }).then((line) => JSON.parse(line) as Record<string, unknown>);
  }

  /** `json.dumps` of the Python value a model describes. */
  async dumps(model: PyModel): Promise<string> {
    return (await this.#ask({ op: 'dumps', model })).text as string;
  }

  /** `json.loads(text)` as a model; `undefined` where Python raises. */
  async loads(text: string): Promise<PyModel | undefined> {
    const answer = await this.#ask({ op: 'loads', text });
    return answer.model as PyModel | undefined;
  }

  close(): void {
    this.#child.stdin?.end();
  }
}
