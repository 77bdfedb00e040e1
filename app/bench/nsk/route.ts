import { benchEnabled, cookieKit, dataResponse, notFound } from '../lib';

export const dynamic = 'force-dynamic';

/** Reads the session from the kit's encrypted cookie. */
export async function GET(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const session = await cookieKit().getSession();
  if (session.isNew) return Response.json({ error: 'no session' }, { status: 401 });
  return dataResponse(session.data);
}
