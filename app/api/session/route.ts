import { getSession } from '../../lib/session';

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

/** The current session as JSON. */
export async function GET(): Promise<Response> {
  return Response.json(await snapshot(), { headers });
}

/** Increments the counter: Route Handlers may save the session. */
export async function POST(): Promise<Response> {
  const session = await getSession();
  session.set('count', (session.get('count') ?? 0) + 1);
  await session.save();
  return Response.json(await snapshot(), { headers });
}
