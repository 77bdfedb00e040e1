// The "Write your own store" example of docs/stores.md, exactly as printed there: its
// map-store.ts and map-store.test.ts blocks are written out and run, so the
// example can never drift from the package (the packed-tarball check in
// scripts/pack-smoke.mjs runs them again against the installed package).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const doc = readFileSync(new URL('../../../docs/stores.md', import.meta.url), 'utf8');
const dir = new URL('../../../.tmp/docs-store/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const file of ['map-store.ts', 'map-store.test.ts']) {
  const block = new RegExp(`\`\`\`ts\\n(// ${file.replace(/\./g, '\\.')}\\n[\\s\\S]*?)\`\`\``).exec(doc)?.[1];
  if (block === undefined) throw new Error(`docs/stores.md has no \`// ${file}\` code block`);
  writeFileSync(new URL(file, dir), block);
}
await import(new URL('map-store.test.ts', dir).href);
