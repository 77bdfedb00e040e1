import { benchEnabled, dataResponse, notFound, redisKit } from '../lib';

export const dynamic = 'force-dynamic';

/** Reads the session from Redis, changes one key and saves it (one more round trip; the cookie stays). */
export async function POST(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const session = await redisKit().getSession();
  if (session.isNew) return Response.json({ error: 'no session' }, { status: 401 });
  session.set('count', (Number(session.get('count')) || 0) + 1);
  await session.save();
  return dataResponse(session.data);
}
