import { getIronSession } from 'iron-session';
import { cookies } from 'next/headers';
import { IRON_COOKIE, MAX_AGE_S, type Payload } from '../config';
import { benchEnabled, benchSecret, dataResponse, notFound } from '../lib';

export const dynamic = 'force-dynamic';

/** iron-session 8: read the session, change one key, save (a new Set-Cookie). */
export async function POST(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const session = await getIronSession<Payload>(await cookies(), {
    password: benchSecret(),
    cookieName: IRON_COOKIE,
    ttl: MAX_AGE_S,
  });
  if (Object.keys(session).length === 0) return Response.json({ error: 'no session' }, { status: 401 });
  session.count = (Number(session.count) || 0) + 1;
  await session.save();
  return dataResponse({ ...session });
}
