import { benchEnabled, cookieKit, dataResponse, notFound } from '../lib';

export const dynamic = 'force-dynamic';

/** Reads the session, changes one key and saves it: a new Set-Cookie on every response. */
export async function POST(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const session = await cookieKit().getSession();
  if (session.isNew) return Response.json({ error: 'no session' }, { status: 401 });
  session.set('count', (Number(session.get('count')) || 0) + 1);
  await session.save();
  return dataResponse(session.data);
}
