// Builds dist/: tsc emits ESM (.js, with `.ts` specifiers rewritten to `.js`)
// and declarations. tsc leaves the `.ts` specifiers inside the .d.ts files,
// which a consumer's TypeScript cannot follow, so rewrite those here.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

rmSync('dist', { recursive: true, force: true });
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
  stdio: 'inherit',
});

const relativeTs = /(from\s+|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g;
let files = 0;
for (const entry of readdirSync('dist', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(relativeTs, '$1$2$3.js$2');
  if (fixed !== text) writeFileSync(file, fixed);
  files++;
}
// React runs a module on the client only if 'use client' is its first
// statement; check that the emitted client entries still start with it.
for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.test.ts')) continue;
  const source = join(entry.parentPath, entry.name);
  if (!/^'use client';/.test(readFileSync(source, 'utf8'))) continue;
  const built = join('dist', source.slice('src/'.length).replace(/\.ts$/, '.js'));
  if (!/^'use client';/.test(readFileSync(built, 'utf8'))) {
    throw new Error(`${built} lost its 'use client' directive`);
  }
}
// Every subpath package.json exports (./store, ./testing/vitest, ...) must
// resolve to a file this build wrote.
const { exports } = JSON.parse(readFileSync('package.json', 'utf8'));
for (const [subpath, target] of Object.entries(exports)) {
  for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
    if (!existsSync(file))
      throw new Error(`package.json exports ${subpath} -> ${file}, which the build did not write`);
  }
}
console.log(`dist/ built (${files} declaration files)`);
