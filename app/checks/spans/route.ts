import { spanLog } from '../../lib/span-log';
import { checksEnabled } from '../lib';

export const dynamic = 'force-dynamic';

/**
 * The kit's finished OpenTelemetry spans (name, ids, status, attributes),
 * oldest first, when the server records them (DEMO_CHECKS=1 and
 * DEMO_TRACE=1, see instrumentation.ts); 404 otherwise.
 */
export function GET(): Response {
  const log = checksEnabled() ? spanLog() : undefined;
  if (log === undefined) return new Response('Not found', { status: 404 });
  return Response.json({ spans: log.spans() }, { headers: { 'cache-control': 'no-store' } });
}

/** Forgets the finished spans. */
export function DELETE(): Response {
  const log = checksEnabled() ? spanLog() : undefined;
  if (log === undefined) return new Response('Not found', { status: 404 });
  log.clear();
  return new Response(null, { status: 204 });
}
