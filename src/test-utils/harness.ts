// The runner shipped with next-session-kit/testing/vitest, under the names
// this package's own tests use.
export { Clock, KitRunner as Harness } from '../testing/kit-runner.ts';
