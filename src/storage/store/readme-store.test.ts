// The README's "Write your own store" example, exactly as printed there: its
// map-store.ts and map-store.test.ts blocks are written out and run, so the
// example can never drift from the package (the packed-tarball check in
// scripts/pack-smoke.mjs runs them again against the installed package).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const dir = new URL('../../../.tmp/readme-store/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const file of ['map-store.ts', 'map-store.test.ts']) {
  const block = new RegExp(`\`\`\`ts\\n(// ${file.replace(/\./g, '\\.')}\\n[\\s\\S]*?)\`\`\``).exec(
    readme,
  )?.[1];
  if (block === undefined) throw new Error(`README.md has no \`// ${file}\` code block`);
  writeFileSync(new URL(file, dir), block);
}
await import(new URL('map-store.test.ts', dir).href);
