import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

// README.md's "Architecture" section, as text lines (no code fences).
function readmeSection(): string[] {
  const readme = read('README.md');
  const start = readme.indexOf('## Architecture\n');
  const end = readme.indexOf('\n## ', start + 1);
  return readme
    .slice(start, end)
    .split('\n')
    .slice(1)
    .filter((line) => !line.startsWith('```'))
    .join('\n')
    .trim()
    .split('\n');
}

it('src/index.ts opens with the README\'s "Architecture" section, word for word', () => {
  const comment = read('src/index.ts')
    .split('\n')
    .filter((line) => line.startsWith('//'))
    .map((line) => line.replace(/^\/\/ ?/, ''));
  const section = readmeSection();
  expect(section.length).toBeGreaterThan(10);
  const at = comment.indexOf(section[0] ?? '');
  expect(comment.slice(at, at + section.length)).toEqual(section);
});

it('every file and folder the "Architecture" section names exists', () => {
  const paths = readmeSection().flatMap((line) => line.match(/src\/[\w./-]*/g) ?? []);
  expect(paths.length).toBeGreaterThan(20);
  for (const path of paths) expect(existsSync(join(root, path)), path).toBe(true);
});
