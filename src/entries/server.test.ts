// The package root's two faces (package.json `exports['.']`): behind
// `server-only` where Next allows it and where it must fail the build (its
// react-server layers, every browser bundle), and without it for the Pages
// Router's server code, which Next builds without react-server and where it
// refuses `server-only`. The packed-tarball smoke test builds both in Next.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, Record<string, string>>;
  sideEffects: unknown;
};

describe('the package root', () => {
  it('resolves behind server-only for react-server and browser, and without it otherwise', () => {
    const conditions = pkg.exports['.'] ?? {};
    // Order matters: the first matching condition wins.
    expect(Object.entries(conditions)).toEqual([
      ['types', './dist/index.d.ts'],
      ['react-server', './dist/entries/server.js'],
      ['edge-light', './dist/index.js'],
      ['browser', './dist/entries/server.js'],
      ['default', './dist/index.js'],
    ]);
    // A bundler must never drop the entry's side-effect import as unused.
    expect(pkg.sideEffects).toEqual(['./dist/entries/server.js']);
  });

  it('exports the same names behind server-only as without it', async () => {
    const [plain, guarded] = await Promise.all([import('../index.ts'), import('./server.ts')]);
    expect(Object.keys(guarded).sort()).toEqual(Object.keys(plain).sort());
    expect(guarded.createSessionKit).toBe(plain.createSessionKit);
  });

  it('keeps server-only out of the modules the plain root loads', () => {
    expect(readFileSync(join(root, 'src/entries/server.ts'), 'utf8')).toMatch(/^import 'server-only';$/m);
    const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== join('entries', 'server.ts'),
    );
    const importing = files.filter((f) =>
      /^import ['"]server-only['"]/m.test(readFileSync(join(root, 'src', f), 'utf8')),
    );
    expect(importing).toEqual([]);
  });
});
