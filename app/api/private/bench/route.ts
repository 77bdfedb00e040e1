// For `npm run bench:http`: the baseline route under a path that proxy.ts
// guards, so the two differ by the guard alone. 404 unless BENCH_ROUTES=1
// (after the guard's 401 for signed-out requests).
export { GET } from '../../../bench/baseline/route';

export const dynamic = 'force-dynamic';
