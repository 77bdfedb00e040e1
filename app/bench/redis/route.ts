import { benchEnabled, dataResponse, notFound, redisKit } from '../lib';

export const dynamic = 'force-dynamic';

/** Reads the session from Redis (one HGETALL). */
export async function GET(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const session = await redisKit().getSession();
  if (session.isNew) return Response.json({ error: 'no session' }, { status: 401 });
  return dataResponse(session.data);
}
