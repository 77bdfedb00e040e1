import { clearRecordedEvents, recordedEvents } from '../../lib/event-log';
import { checksEnabled } from '../lib';

export const dynamic = 'force-dynamic';

/**
 * The session events this server's kit delivered so far (`createSessionKit({
 * events })`), each exactly as the kit gave it: `{ events: [...] }`, oldest
 * first. They arrive after the response (Next's `after()`): poll.
 */
export function GET(): Response {
  if (!checksEnabled()) return new Response('Not found', { status: 404 });
  return Response.json({ events: recordedEvents() }, { headers: { 'cache-control': 'no-store' } });
}

/** Forgets the recorded events. */
export function DELETE(): Response {
  if (!checksEnabled()) return new Response('Not found', { status: 404 });
  clearRecordedEvents();
  return new Response(null, { status: 204 });
}
