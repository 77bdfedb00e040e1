// The SQL stores' client libraries are optional peers that the package never
// loads: the app creates the pool or database and passes it in, so neither
// `next-session-kit` nor its /postgres and /sqlite entries pull pg, postgres
// or better-sqlite3 into a bundle.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['test-utils', 'fuzz'].includes(entry.name) ? [] : shippedSources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the SQL stores', () => {
  it('pg, postgres and better-sqlite3 are optional peers no shipped source imports', () => {
    for (const name of ['pg', 'postgres', 'better-sqlite3']) {
      expect(pkg.dependencies?.[name], name).toBeUndefined();
      expect(pkg.peerDependencies?.[name], name).toBeDefined();
      expect(pkg.peerDependenciesMeta?.[name]?.optional, name).toBe(true);
      // Statements at the start of a line: an import in a TSDoc example is not one.
      const pattern = new RegExp(`^(?:import|export)[^;]*?'${name}(?:/[^']*)?';`, 'm');
      const importers = shippedSources(join(root, 'src'))
        .filter((file) => pattern.test(readFileSync(file, 'utf8')))
        .map((file) => relative(root, file));
      expect(importers, name).toEqual([]);
    }
  });

  it('each has its subpath export', () => {
    expect(pkg.exports['./postgres']).toEqual({
      types: './dist/entries/postgres.d.ts',
      default: './dist/entries/postgres.js',
    });
    expect(pkg.exports['./sqlite']).toEqual({
      types: './dist/entries/sqlite.d.ts',
      default: './dist/entries/sqlite.js',
    });
  });
});
