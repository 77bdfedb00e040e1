import { getSession } from './session';

/** Responses that show a session are per user: never cached. */
export const NO_STORE = { 'Cache-Control': 'private, no-store' };

/** The current session as the demo's JSON routes show it. */
export async function sessionSnapshot() {
  const session = await getSession();
  return {
    id: session.id,
    isNew: session.isNew,
    user: session.get('user') ?? null,
    count: session.get('count') ?? 0,
    createdAt: new Date(session.createdAt).toISOString(),
    authenticatedAt:
      session.authenticatedAt === undefined ? null : new Date(session.authenticatedAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
  };
}
