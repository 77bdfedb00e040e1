import { getSession, newSession } from '../../lib/session';
import { NO_STORE as headers, sessionSnapshot } from '../../lib/session-json';
import { withSessionStoreResponse } from '../../lib/session-store';

/**
 * For scripts/load.ts: a login without a Server Action, and a second counter
 * (`count2`) so one client can run two parallel increments on different keys
 * of the same session (the per-key merge of the store storages). Any name
 * signs in, as on /login: this route grants nothing the login page does not.
 */

// The kit's limit for user ids; a user name big enough to make the cookie storage write several chunks.
const MAX_USER_ID = 256;
const MAX_USER = 6_000;

const isText = (value: unknown, max: number): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= max;

// /api/session's view plus the second counter.
async function snapshot() {
  return { ...(await sessionSnapshot()), count2: (await getSession()).get('count2') ?? 0 };
}

export function GET(): Promise<Response> {
  return withSessionStoreResponse(async () => Response.json(await snapshot(), { headers }));
}

/**
 * `{ "login": userId, "user"?: name }` signs in as a new session (`user` defaults to the user id; it may be
 * longer, to make the cookie storage write several chunks); any other body increments `count2`.
 */
export function POST(request: Request): Promise<Response> {
  return withSessionStoreResponse(async () => {
    const body: unknown = await request.json().catch(() => null);
    const { login, user = login } =
      typeof body === 'object' && body !== null ? (body as { login?: unknown; user?: unknown }) : {};
    if (login !== undefined) {
      if (!isText(login, MAX_USER_ID) || !isText(user, MAX_USER)) {
        return Response.json(
          { error: `login must be 1 to ${MAX_USER_ID} characters, user 1 to ${MAX_USER}` },
          { status: 400, headers },
        );
      }
      const session = await newSession({ userId: login });
      session.set('user', user);
      await session.save();
    } else {
      const session = await getSession();
      session.set('count2', (session.get('count2') ?? 0) + 1);
      await session.save();
    }
    return Response.json(await snapshot(), { headers });
  });
}
