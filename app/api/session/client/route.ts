import { clientSessionHandler } from '../../../lib/session';

/**
 * The `live` option's snapshot route: the exposed fields (`{ user }`) of the
 * request's session, for useSession() in the other tabs. It reads the session
 * without sliding its expiry and never writes a cookie; 503 while the store is down.
 */
export const GET = clientSessionHandler;
