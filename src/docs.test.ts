// The README, SECURITY.md and docs/*.md held to the repository: every relative
// link leads to a file and heading that exist, and every test the claims
// tables cite (docs/claims.md, SECURITY.md's "Tests cited") is still there.
import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  citesTitle,
  codeSpans,
  headingAnchors,
  proseLines,
  ROOT,
  readRepoFile,
  relativeLinks,
  resolveLink,
  tableAfter,
  testSources,
} from './test-utils/markdown.ts';

const pages = [
  'README.md',
  'SECURITY.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

describe('links', () => {
  it.each(pages)('%s: every relative link leads to a file and heading that exist', (page) => {
    const broken: string[] = [];
    for (const target of relativeLinks(readRepoFile(page))) {
      const { path, anchor } = resolveLink(page, target);
      if (!existsSync(join(ROOT, path))) broken.push(`${target} (no ${path})`);
      else if (
        anchor !== undefined &&
        extname(path) === '.md' &&
        !headingAnchors(readRepoFile(path)).has(anchor)
      ) {
        broken.push(`${target} (no heading #${anchor} in ${path})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it.each(pages)('%s: every repository path it names in code exists', (page) => {
    // Not this repository's: an app's own layout, and what a benchmark run writes.
    const elsewhere = (path: string) => path === 'src/app/' || path.startsWith('bench/results/');
    const named = proseLines(readRepoFile(page))
      .flatMap((line) => codeSpans(line))
      .filter((span) => /^(src|e2e|scripts|test|bench|bin|app|docs)\/[^\s*{}<>]*$/.test(span))
      .map((span) => span.replace(/:.*$/, ''));
    expect(named.filter((path) => !elsewhere(path) && !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const linked = new Set(
      relativeLinks(readRepoFile('README.md')).map((t) => resolveLink('README.md', t).path),
    );
    expect(pages.filter((page) => page.startsWith('docs/') && !linked.has(page))).toEqual([]);
  });
});

/** Each row's cited file (a code span in `fileColumn`) and the titles in `testColumn` that it lacks. */
function missingTests(rows: string[][], fileColumn: number, testColumn: number): string[] {
  const missing: string[] = [];
  for (const row of rows) {
    const [file] = codeSpans(row[fileColumn] ?? '');
    const titles = codeSpans(row[testColumn] ?? '');
    if (file === undefined || titles.length === 0) {
      missing.push(`a row without a file or test: ${row.join(' | ')}`);
      continue;
    }
    if (!existsSync(join(ROOT, file))) {
      missing.push(`${file}: no such file`);
      continue;
    }
    const source = testSources(file);
    for (const title of titles) if (!citesTitle(source, title)) missing.push(`${file}: no test "${title}"`);
  }
  return missing;
}

describe('claims', () => {
  it('docs/claims.md: every cited file exists and holds the cited tests', () => {
    const rows = tableAfter(readRepoFile('docs/claims.md'), 'Claims');
    expect(rows.length).toBeGreaterThan(30);
    expect(missingTests(rows, 2, 3)).toEqual([]);
  });

  it('SECURITY.md: every test in "Tests cited" exists where it is cited', () => {
    const rows = tableAfter(readRepoFile('SECURITY.md'), 'Tests cited');
    expect(rows.length).toBeGreaterThan(50);
    expect(missingTests(rows, 1, 2)).toEqual([]);
  });

  it('the README comparison: every feature it gives the kit names a test file that docs/claims.md cites', () => {
    const cited = new Set(
      tableAfter(readRepoFile('docs/claims.md'), 'Claims').flatMap((row) => codeSpans(row[2] ?? '')),
    );
    const rows = tableAfter(readRepoFile('README.md'), 'Compared with iron-session and Auth.js');
    const kit = rows.filter((row) => row[1]?.startsWith('✓'));
    expect(kit.length).toBeGreaterThan(10);
    const unproven = kit.filter((row) => {
      const files = relativeLinks(row[4] ?? '');
      return files.length === 0 || files.some((file) => !cited.has(file));
    });
    expect(unproven.map((row) => row[0])).toEqual([]);
  });
});
