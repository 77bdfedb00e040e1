// Sums the test results that .ci/run's steps wrote as JSON and prints the
// one closing line CI reads: "N passed, N failed". A step that failed
// without recording a test result counts as one failure, so a broken build
// can never look green.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir = '.tmp/ci', stepStatus = '0'] = process.argv.slice(2);
let passed = 0;
let failed = 0;

const read = (name) => {
  const file = join(dir, name);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
};

const vitest = read('vitest.json');
if (vitest) {
  passed += vitest.numPassedTests ?? 0;
  failed += vitest.numFailedTests ?? 0;
  // A test file that cannot even load has no failed tests, only a failed suite.
  if ((vitest.numFailedTests ?? 0) === 0) failed += vitest.numFailedTestSuites ?? 0;
  if ((vitest.numTotalTests ?? 0) === 0) failed += 1;
}

const playwright = read('playwright.json');
if (playwright?.stats) {
  passed += (playwright.stats.expected ?? 0) + (playwright.stats.flaky ?? 0);
  failed += playwright.stats.unexpected ?? 0;
}

for (const name of ['load.json', 'pack.json']) {
  const result = read(name);
  if (result) {
    passed += result.passed ?? 0;
    failed += result.failed ?? 0;
  }
}

const recorded = passed + failed;
if (stepStatus !== '0' && failed === 0) failed += 1;
if (recorded === 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(stepStatus === '0' && failed === 0 ? 0 : 1);
