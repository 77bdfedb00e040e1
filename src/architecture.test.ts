import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// The "Architecture" section of docs/development.md, as text lines (no code fences).
function architectureSection(): string[] {
  const doc = read('docs/development.md');
  const start = doc.indexOf('## Architecture\n');
  const end = doc.indexOf('\n## ', start + 1);
  expect(start, 'docs/development.md has an "## Architecture" section').toBeGreaterThanOrEqual(0);
  expect(end, 'a section follows "Architecture" in docs/development.md').toBeGreaterThan(start);
  return doc
    .slice(start, end)
    .split('\n')
    .slice(1)
    .filter((line) => !line.startsWith('```'))
    .join('\n')
    .trim()
    .split('\n');
}

it('src/index.ts opens with the "Architecture" section of docs/development.md, word for word', () => {
  const comment = read('src/index.ts')
    .split('\n')
    .filter((line) => line.startsWith('//'))
    .map((line) => line.replace(/^\/\/ ?/, ''));
  const section = architectureSection();
  expect(section.length).toBeGreaterThan(10);
  const at = comment.indexOf(section[0] ?? '');
  expect(comment.slice(at, at + section.length)).toEqual(section);
});

it('every file and folder the "Architecture" section names exists', () => {
  const paths = architectureSection().flatMap((line) => line.match(/src\/[\w./-]*/g) ?? []);
  expect(paths.length).toBeGreaterThan(20);
  for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true);
});
