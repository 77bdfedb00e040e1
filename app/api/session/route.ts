import { getSession } from '../../lib/session';
import { withSessionStoreResponse } from '../../lib/session-store';

const headers = { 'Cache-Control': 'private, no-store' };

async function snapshot() {
  const session = await getSession();
  return {
    id: session.id,
    isNew: session.isNew,
    user: session.get('user') ?? null,
    count: session.get('count') ?? 0,
    createdAt: new Date(session.createdAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}

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
