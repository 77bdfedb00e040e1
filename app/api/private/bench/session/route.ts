// For `npm run bench:http`: the demo's session read behind the guard, which
// loads the same session first. 404 unless BENCH_ROUTES=1 (after the guard's
// 401 for signed-out requests).
export { GET } from '../../../../bench/demo-session';

export const dynamic = 'force-dynamic';
