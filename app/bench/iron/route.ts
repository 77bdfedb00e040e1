import { getIronSession } from 'iron-session';
import { cookies } from 'next/headers';
import { IRON_COOKIE, MAX_AGE_S, type Payload } from '../config';
import { benchEnabled, benchSecret, dataResponse, notFound } from '../lib';

export const dynamic = 'force-dynamic';

/** Reads the same session with iron-session 8, as its README does in a Route Handler. */
export async function GET(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const session = await getIronSession<Payload>(await cookies(), {
    password: benchSecret(),
    cookieName: IRON_COOKIE,
    ttl: MAX_AGE_S,
  });
  // The data are the session's own enumerable keys (save/destroy are not).
  const data = { ...session };
  if (Object.keys(data).length === 0) return Response.json({ error: 'no session' }, { status: 401 });
  return dataResponse(data);
}
