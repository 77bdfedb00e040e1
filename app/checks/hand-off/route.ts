import { headers } from 'next/headers';
import { getSession } from '../../lib/session';
import { withSessionStoreResponse } from '../../lib/session-store';
import { checksEnabled } from '../lib';

export const dynamic = 'force-dynamic';

// The request header through which proxy.ts hands its session to the render
// (src/next/hand-off.ts); a client's value must never reach this far.
const HAND_OFF_HEADER = 'x-next-session-kit-hand-off';

/**
 * What this Route Handler, behind the guard, received: the hand-off header
 * (an id the guard set, or none) and the session's user.
 */
export async function GET(): Promise<Response> {
  if (!checksEnabled()) return new Response('Not found', { status: 404 });
  return withSessionStoreResponse(async () => {
    const handOff = (await headers()).get(HAND_OFF_HEADER);
    const session = await getSession();
    return Response.json({ handOff, user: session.get('user') ?? null });
  });
}
