import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// The kit as users run it: compiled by tsc with the package's own build
// settings (tsconfig.build.json, what `npm run build` ships), into a private
// directory so a stale dist/ can never be measured. Through tsx instead, every
// named closure the kit creates per call is wrapped in esbuild's keep-names
// helper, a cost of the bench's tooling, not of the package. The baselines are
// third-party JavaScript either way. BENCH_KIT=src measures the TypeScript
// sources through tsx (for profiling against source lines).

/** Where the kit's modules are loaded from. */
export type KitSource = 'compiled' | 'src';

/** The parts of the kit the bench calls, typed from the sources. */
export interface Kit {
  readonly source: KitSource;
  readonly SessionEngine: typeof import('../src/engine.ts').SessionEngine;
  readonly redisStorage: typeof import('../src/entries/redis.ts').redisStorage;
  readonly encryptedCookieStorage: typeof import('../src/storage/encrypted-cookie.ts').encryptedCookieStorage;
  readonly createSessionId: typeof import('../src/storage/session-id.ts').createSessionId;
  /** Absent in kits older than `src/lifetime.ts` (store-ab.ts builds those too). */
  readonly createLifetime: typeof import('../src/lifetime.ts').createLifetime | undefined;
  readonly SAVE: typeof import('../src/storage/redis/scripts.ts').SAVE;
  readonly scriptSha: typeof import('../src/storage/redis/scripts.ts').scriptSha;
}

const root = new URL('../', import.meta.url);
const outDir = new URL('.tmp/bench-kit/', root);

/** Compiles the kit whose checkout is at `from` (its tsconfig.build.json) into `into`. */
export function compileKit(from: URL, into: URL): void {
  rmSync(into, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const project = fileURLToPath(new URL('tsconfig.build.json', from));
  execFileSync(
    process.execPath,
    [tsc, '-p', project, '--outDir', fileURLToPath(into), '--declaration', 'false'],
    { stdio: 'inherit' },
  );
}

/** The bench's parts of a kit compiled by {@link compileKit}. */
export function loadCompiledKit(from: URL): Promise<Kit> {
  return load(from, '.js').then((parts) => ({ source: 'compiled', ...parts }));
}

/** The lifetime part of a storage's create options, as the kit at hand takes it. */
export function lifetimeOptions(
  kit: Kit,
  maxAge: number,
): { lifetime: ReturnType<NonNullable<Kit['createLifetime']>> } {
  if (kit.createLifetime !== undefined) return { lifetime: kit.createLifetime(maxAge, undefined) };
  // A kit older than src/lifetime.ts took the two options instead.
  return { maxAge, idleTimeout: undefined } as unknown as ReturnType<typeof lifetimeOptions>;
}

async function load(base: URL, extension: '.js' | '.ts'): Promise<Omit<Kit, 'source'>> {
  const module = <T>(path: string): Promise<T> => import(new URL(path + extension, base).href) as Promise<T>;
  const [engine, redis, cookie, sessionId, scripts, lifetime] = await Promise.all([
    module<typeof import('../src/engine.ts')>('engine'),
    module<typeof import('../src/entries/redis.ts')>('entries/redis'),
    module<typeof import('../src/storage/encrypted-cookie.ts')>('storage/encrypted-cookie'),
    module<typeof import('../src/storage/session-id.ts')>('storage/session-id'),
    module<typeof import('../src/storage/redis/scripts.ts')>('storage/redis/scripts'),
    module<typeof import('../src/lifetime.ts')>('lifetime').catch(() => undefined),
  ]);
  return {
    SessionEngine: engine.SessionEngine,
    redisStorage: redis.redisStorage,
    encryptedCookieStorage: cookie.encryptedCookieStorage,
    createSessionId: sessionId.createSessionId,
    createLifetime: lifetime?.createLifetime,
    SAVE: scripts.SAVE,
    scriptSha: scripts.scriptSha,
  };
}

async function loadKit(): Promise<Kit> {
  if (process.env.BENCH_KIT === 'src') {
    return { source: 'src', ...(await load(new URL('src/', root), '.ts')) };
  }
  process.stderr.write('compiling the kit with tsc (tsconfig.build.json) into .tmp/bench-kit/\n');
  compileKit(root, outDir);
  return loadCompiledKit(outDir);
}

/** The kit under test, compiled once per bench run. */
export const kit: Kit = await loadKit();

/** How the kit was run, for footnotes. */
export function kitNote(source: KitSource): string {
  return source === 'compiled'
    ? 'the kit compiled by tsc with the package’s build settings, as `npm run build` ships it'
    : 'the kit’s TypeScript sources run through tsx (`BENCH_KIT=src`)';
}
