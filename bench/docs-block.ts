// The benchmark figures live in docs/benchmarks.md, each run's block between
// `<!-- name:start -->` and `<!-- name:end -->`; `--write-docs` (or its old
// name, `--write-readme`) replaces a block with the run's markdown.
import { readFileSync, writeFileSync } from 'node:fs';

const DOC = new URL('../docs/benchmarks.md', import.meta.url);

/** Whether the command line asks for the docs to be rewritten. */
export function writesDocs(args: readonly string[]): boolean {
  return args.includes('--write-docs') || args.includes('--write-readme');
}

/** Replaces the `name` block of docs/benchmarks.md with `markdown`; returns what it did, for the log. */
export function replaceDocsBlock(name: string, markdown: string): string {
  const text = readFileSync(DOC, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/benchmarks.md has no ${start} … ${end} block`);
  writeFileSync(DOC, `${text.slice(0, from + start.length)}\n${markdown}\n${text.slice(to)}`);
  return `updated the ${name} block of docs/benchmarks.md`;
}
