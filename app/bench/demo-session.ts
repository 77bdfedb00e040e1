import { getSession } from '../lib/session';
import { withSessionStoreResponse } from '../lib/session-store';
import { benchEnabled, dataResponse, notFound } from './lib';

/**
 * The demo's own session read in a Route Handler, as a page behind the guard
 * does (app/api/private/me): `npm run bench:http` drives it behind the guard
 * (/api/private/bench/session) and behind the no-op proxy branch
 * (/api/bench-floor/session), so the two differ by the guard alone, and counts
 * the store round trips of each. The session's data as JSON; 401 when signed out.
 */
export async function GET(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  return withSessionStoreResponse(async () => {
    const session = await getSession();
    if (session.userId === undefined) return Response.json({ error: 'unauthenticated' }, { status: 401 });
    return dataResponse(session.data);
  });
}
