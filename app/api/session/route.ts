import { getSession } from '../../lib/session';
import { NO_STORE as headers, sessionSnapshot as snapshot } from '../../lib/session-json';
import { withSessionStoreResponse } from '../../lib/session-store';

/** The current session as JSON; 503 when the session store is down. */
export function GET(): Promise<Response> {
  return withSessionStoreResponse(async () => Response.json(await snapshot(), { headers }));
}

/** Increments the counter: Route Handlers may save the session. */
export function POST(): Promise<Response> {
  return withSessionStoreResponse(async () => {
    const session = await getSession();
    session.set('count', (session.get('count') ?? 0) + 1);
    await session.save();
    return Response.json(await snapshot(), { headers });
  });
}
