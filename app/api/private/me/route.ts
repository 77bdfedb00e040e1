import { getSession } from '../../../lib/session';
import { withSessionStoreResponse } from '../../../lib/session-store';

const headers = { 'Cache-Control': 'private, no-store' };

/**
 * The signed-in user, as JSON. proxy.ts already answers 401 for everything
 * under /api/private without a signed-in session; the handler checks again
 * (a proxy is not a security boundary on its own, see app/dashboard/page.tsx).
 */
export function GET(): Promise<Response> {
  return withSessionStoreResponse(async () => {
    const session = await getSession();
    if (session.userId === undefined) {
      return Response.json({ error: 'unauthenticated' }, { status: 401, headers });
    }
    return Response.json({ userId: session.userId, user: session.get('user') ?? null }, { headers });
  });
}
