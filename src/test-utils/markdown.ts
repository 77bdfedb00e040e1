// Reading the repository's markdown (README.md, SECURITY.md, docs/*.md) the
// way GitHub renders it, for the tests that hold the docs to the code: the
// anchors of its headings, its links, its tables, and whether a test a table
// cites exists.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

/** The repository's root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** A file of the repository, read as UTF-8. */
export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** The lines of `text` outside fenced code blocks (fences may be indented, as in list items). */
export function proseLines(text: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) lines.push(line);
  }
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .replace(/`/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor the headings of `text` define, numbered as GitHub numbers repeated ones. */
export function headingAnchors(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = headingSlug(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** The relative link targets of `text` (`[x](path#anchor)`, images too), outside code. */
export function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const line of proseLines(text)) {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? '';
      if (!/^[a-z][a-z+.-]*:/i.test(target)) links.push(target);
    }
  }
  return links;
}

/** Where a link in the file `from` leads: the repository path and the anchor, if any. */
export function resolveLink(from: string, target: string): { path: string; anchor?: string } {
  const [path = '', anchor] = target.split('#');
  return { path: path === '' ? from : normalize(join(dirname(from), path)), anchor };
}

/** The rows of the first table after the heading `heading` (its header row left out), as cells. */
export function tableAfter(text: string, heading: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const first = lines.findIndex((line, i) => i > start && line.startsWith('|'));
  const rows: string[][] = [];
  for (let i = first + 2; first >= 0 && i < lines.length && lines[i]?.startsWith('|'); i++) {
    rows.push(splitRow(lines[i] ?? ''));
  }
  return rows;
}

/** A table row's cells, trimmed; a `|` inside a code span or escaped as `\|` stays in its cell. */
function splitRow(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let code = false;
  for (let i = 1; i < row.length; i++) {
    const c = row[i];
    if (c === '\\' && row[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '`') {
      code = !code;
      cell += c;
    } else if (c === '|' && !code) {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return cells;
}

/** The code spans of a table cell: `a` and ``b `c` d`` give "a" and "b `c` d". */
export function codeSpans(cell: string): string[] {
  return [...cell.matchAll(/``\s?(.+?)\s?``|`([^`]+)`/g)].map((m) => m[1] ?? m[2] ?? '');
}

const same = (text: string) =>
  text
    .replace(/\\(['"`])/g, '$1')
    .replace(/[’‘]/g, "'")
    .replace(/\s+/g, ' ');

/**
 * The source of a test file and of every file it imports by a relative path, transitively: a title
 * cited for a file may be registered by a shared suite it runs (`describeStoreAdapter()`).
 */
export function testSources(file: string): string {
  const seen = new Set<string>();
  const queue = [file];
  let text = '';
  while (queue.length > 0 && seen.size < 200) {
    const path = queue.shift() ?? '';
    if (seen.has(path) || !existsSync(join(ROOT, path))) continue;
    seen.add(path);
    const source = readRepoFile(path);
    text += `\n${source}`;
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+\.(?:ts|mjs|js))'/g)) {
      queue.push(normalize(join(dirname(path), match[1] ?? '')));
    }
  }
  return same(text);
}

/**
 * Whether `title` is a test title in `source` (from {@link testSources}). A cited title may leave
 * parts out with "…" (each part must then be found) and is matched as written in the source,
 * placeholders such as `%s` or `${name}` included.
 */
export function citesTitle(source: string, title: string): boolean {
  const parts = same(title)
    .split('…')
    .map((part) => part.trim())
    .filter((part) => part.length >= 4);
  return parts.length > 0 && parts.every((part) => source.includes(part));
}
