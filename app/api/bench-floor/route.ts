// For `npm run bench:http`: the baseline route under a path that proxy.ts
// matches but lets through untouched (its no-op branch), the floor the guard
// is measured against. 404 unless BENCH_ROUTES=1.
export { GET } from '../../bench/baseline/route';

export const dynamic = 'force-dynamic';
