import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
};

// Shipped sources (what `npm run build` compiles into dist/), tests and test helpers left out.
function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['test-utils', 'fuzz'].includes(entry.name) ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

function importers(name: string): string[] {
  // Statements at the start of a line: an import in a TSDoc example is not one.
  const pattern = new RegExp(`^(?:import|export)[^;]*?'${name}(?:/[^']*)?';`, 'm');
  return shippedSources(join(root, 'src'))
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file));
}

describe('runtime dependencies', () => {
  it('every plain dependency is one the package loads', () => {
    for (const name of Object.keys(pkg.dependencies ?? {})) expect(importers(name), name).not.toEqual([]);
  });

  it('jose is an optional peer, loaded only by next-session-kit/migrate/authjs', () => {
    expect(pkg.dependencies?.jose).toBeUndefined();
    expect(pkg.peerDependencies?.jose).toBeDefined();
    expect(pkg.peerDependenciesMeta?.jose?.optional).toBe(true);
    expect(importers('jose')).toEqual(['src/migrate/authjs.ts']);
  });

  it('@opentelemetry/api is an optional peer, never imported statically, named only by src/tracing.ts', () => {
    const name = '@opentelemetry/api';
    expect(pkg.dependencies?.[name]).toBeUndefined();
    expect(pkg.peerDependencies?.[name]).toBeDefined();
    expect(pkg.peerDependenciesMeta?.[name]?.optional).toBe(true);
    // No static import anywhere (an app without it must build and run) ...
    expect(importers(name)).toEqual([]);
    // ... and one file that loads it, by a dynamic import hidden from bundlers.
    const naming = shippedSources(join(root, 'src'))
      .filter((file) => readFileSync(file, 'utf8').includes(`'${name}'`))
      .map((file) => relative(root, file));
    expect(naming).toEqual(['src/tracing.ts']);
    expect(readFileSync(join(root, 'src', 'tracing.ts'), 'utf8')).toMatch(
      /import\(\/\* webpackIgnore: true \*\//,
    );
  });

  it('the OpenTelemetry SDK is a devDependency for tests and the demo, never named by the package', () => {
    // The app brings its own SDK (NodeSDK, @vercel/otel): the kit only talks to @opentelemetry/api.
    const name = '@opentelemetry/sdk-trace-base';
    expect(pkg.devDependencies?.[name]).toBeDefined();
    expect(pkg.dependencies?.[name]).toBeUndefined();
    expect(pkg.peerDependencies?.[name]).toBeUndefined();
    const naming = shippedSources(join(root, 'src'))
      .filter((file) => readFileSync(file, 'utf8').includes('@opentelemetry/sdk-'))
      .map((file) => relative(root, file));
    expect(naming).toEqual([]);
  });
});
