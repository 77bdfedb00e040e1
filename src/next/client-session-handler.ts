import type { ClientSessionData } from '../expose.ts';
import { isSnapshotRequest, SNAPSHOT_HEADER, SNAPSHOT_HEADER_VALUE } from '../live/protocol.ts';

/**
 * The Route Handler behind the `live` option: `GET` answers the exposed
 * session fields of the request's session as JSON, exactly what
 * `getClientSession()` gives a server component.
 *
 * @example
 * ```ts
 * // app/api/session/client/route.ts
 * import { clientSessionHandler } from '../../../../lib/session';
 * export const GET = clientSessionHandler;
 * ```
 */
export type ClientSessionHandler = (request: Request) => Promise<Response>;

// Per user and per moment: no cache, shared or private, may keep it. No
// other site may embed it (CORP), nor sniff it into something executable.
const HEADERS = {
  'cache-control': 'private, no-store',
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
};

/**
 * Builds {@link ClientSessionHandler} around a loader of the snapshot that
 * reads the session without sliding its expiry and writes no cookie (the
 * kit passes its `hasSession()`-style peek). The handler itself never saves.
 *
 * Refused before the session is read: requests without the client
 * provider's `x-session-kit: snapshot` header (400), and requests the
 * browser marks as coming from another site or a sibling subdomain (403).
 * While the session store is down it answers 503, and the tab keeps what it
 * shows.
 *
 * @example
 * ```ts
 * const clientSessionHandler = createClientSessionHandler(() => peekClientSession());
 * ```
 */
export function createClientSessionHandler(load: () => Promise<ClientSessionData>): ClientSessionHandler {
  return async (request) => {
    const site = request.headers.get('sec-fetch-site');
    if (site !== null && site !== 'same-origin') {
      return Response.json({ error: 'cross-site request refused' }, { status: 403, headers: HEADERS });
    }
    if (!isSnapshotRequest(request)) {
      return Response.json(
        { error: `send the header "${SNAPSHOT_HEADER}: ${SNAPSHOT_HEADER_VALUE}" (useSession() does)` },
        { status: 400, headers: HEADERS },
      );
    }
    let snapshot: ClientSessionData;
    try {
      snapshot = await load();
    } catch (error) {
      // By code, not instanceof: the class may exist twice after bundling.
      if ((error as { code?: unknown } | null)?.code !== 'ERR_SESSION_STORE') throw error;
      return Response.json({ error: 'session store unavailable' }, { status: 503, headers: HEADERS });
    }
    return Response.json(snapshot, { headers: HEADERS });
  };
}
