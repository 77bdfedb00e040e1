// `npm run fuzz`: runs only the fuzz suites (src/fuzz/*.fuzz.test.ts) with
// FUZZ_RUNS cases per property (default 3500, over 100,000 in all) instead of
// the 200 of a normal `vitest run`, then prints how many generated inputs the
// properties checked. The count comes from the properties themselves (see
// createFuzzer in src/test-utils/fuzz.ts), not from the configuration.
//
// Usage: node scripts/fuzz.mjs [vitest arguments, e.g. a file filter]
//        FUZZ_RUNS=20000 node scripts/fuzz.mjs   # more cases per property
//        FUZZ_SEED=123 node scripts/fuzz.mjs     # replay a reported seed
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const runs = process.env.FUZZ_RUNS || '3500';
const dir = mkdtempSync(join(tmpdir(), 'next-session-kit-fuzz-'));
const countFile = join(dir, 'counts.jsonl');
const started = Date.now();

const vitest = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules/vitest/vitest.mjs'),
    'run',
    'src/fuzz/',
    // A property runs thousands of cases here; the default 20 s is for unit tests.
    '--testTimeout=600000',
    ...process.argv.slice(2),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, FUZZ_RUNS: runs, FUZZ_COUNT_FILE: countFile } },
);

const counts = existsSync(countFile)
  ? readFileSync(countFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line))
  : [];
rmSync(dir, { recursive: true, force: true });

const byFile = new Map();
for (const { file, cases } of counts) byFile.set(file, (byFile.get(file) ?? 0) + cases);
const total = counts.reduce((sum, { cases }) => sum + cases, 0);
const seconds = ((Date.now() - started) / 1000).toFixed(1);

console.log(`\nfuzz: FUZZ_RUNS=${runs} per property, ${counts.length} properties`);
for (const [file, cases] of [...byFile].sort())
  console.log(`  ${file.padEnd(10)} ${cases.toLocaleString('en-US')}`);
console.log(`fuzz: ${total.toLocaleString('en-US')} cases checked in ${seconds} s`);
process.exit(vitest.status ?? 1);
