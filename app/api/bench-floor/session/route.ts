// For `npm run bench:http`: the demo's session read behind proxy.ts's no-op
// branch, the floor of /api/private/bench/session. 404 unless BENCH_ROUTES=1.
export { GET } from '../../../bench/demo-session';

export const dynamic = 'force-dynamic';
