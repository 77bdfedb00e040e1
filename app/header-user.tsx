'use client';

import { useSession } from 'next-session-kit/client';
// Type-only: nothing of the server module reaches the browser bundle.
import type { ClientSession } from './lib/session';

/**
 * The signed-in user's name in the site header, rendered as a client
 * component from what the kit exposes (`expose: ['user']`) and nothing else.
 * A Server Action that signs in, out or changes the session re-renders the
 * layout, and this follows without a page reload.
 */
export function HeaderUser() {
  const { user } = useSession<ClientSession>();
  return (
    <p className="storage" data-testid="header-user">
      {user ? (
        <>
          User: <strong>{user}</strong>
        </>
      ) : (
        'Guest'
      )}
    </p>
  );
}
