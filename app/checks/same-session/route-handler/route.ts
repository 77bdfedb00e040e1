import { getSession, newSession } from '../../../lib/session';
import { checksEnabled, firstSeen } from '../../lib';

export const dynamic = 'force-dynamic';

const notFound = () => new Response('Not found', { status: 404 });

/** getSession() called one after the other and in parallel within one Route Handler request. */
export async function GET(): Promise<Response> {
  if (!checksEnabled()) return notFound();
  const first = await getSession();
  const [second, third] = await Promise.all([getSession(), getSession()]);
  return Response.json({ same: first === second && first === third, fresh: firstSeen(first) });
}

/** After newSession(), every later getSession() of the request returns the new session. */
export async function POST(): Promise<Response> {
  if (!checksEnabled()) return notFound();
  const previous = await getSession();
  const created = await newSession();
  const [after, again] = await Promise.all([getSession(), getSession()]);
  return Response.json({
    replaced: created !== previous,
    same: after === created && again === created,
    fresh: firstSeen(previous),
  });
}
