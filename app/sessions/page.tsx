import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import type { UserSessionInfo } from 'next-session-kit';
import { FlashNotice } from '../lib/flash-notice';
import { getSession, listUserSessions, storageName } from '../lib/session';
import { isSessionUnsupportedError, withSessionStore } from '../lib/session-store';
import { signOutEverywhere, signOutOtherDevices } from './actions';

export const metadata: Metadata = { title: 'Your sessions · next-session-kit demo' };

const iso = (ms: number) => new Date(ms).toISOString();

// Signed-in users only. If the session store is down, shows "Session store
// unavailable" (status 200: a server component cannot set a 503, see withSessionStore).
export default function SessionsPage() {
  return withSessionStore(renderSessions);
}

async function renderSessions() {
  const session = await getSession();
  const user = session.get('user');
  const userId = session.userId ?? user;
  // The guard in proxy.ts already sends signed-out visitors to /login; this
  // page checks again on its own (see app/dashboard/page.tsx for why).
  if (!user || !userId) redirect('/login?next=%2Fsessions');
  const notice = await session.getFlash('notice');

  let sessions: UserSessionInfo[] | null = null;
  try {
    sessions = await listUserSessions(userId);
  } catch (error) {
    // The cookie storage keeps sessions only in browsers: there is nothing to list.
    if (!isSessionUnsupportedError(error)) throw error;
  }

  return (
    <section aria-labelledby="sessions-heading">
      <FlashNotice message={notice} />
      <h1 id="sessions-heading">Your sessions</h1>
      <p className="status">Signed in as {user}</p>
      {sessions === null ? (
        <p data-testid="sessions-unsupported">
          This demo runs on the <code>{storageName}</code> storage, which keeps each session only in its
          browser&apos;s cookie: the server cannot list or end them. Listing sessions and signing out other
          devices need a session store (<code>SESSION_STORAGE=redis</code>, <code>kv</code> or{' '}
          <code>memcached</code>).
        </p>
      ) : (
        <>
          <table className="sessions" data-testid="sessions-table">
            <caption>
              {sessions.length} active {sessions.length === 1 ? 'session' : 'sessions'}
            </caption>
            <thead>
              <tr>
                <th scope="col">Session id</th>
                <th scope="col">Created</th>
                <th scope="col">Last seen</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">This device</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.ref} data-testid="session-row" data-current={s.current ? 'true' : undefined}>
                  <td>
                    <code>{s.id}</code>
                  </td>
                  <td>
                    <time dateTime={iso(s.createdAt)}>{iso(s.createdAt)}</time>
                  </td>
                  <td>
                    <time dateTime={iso(s.lastSeen)}>{iso(s.lastSeen)}</time>
                  </td>
                  <td>
                    <time dateTime={iso(s.expiresAt)}>{iso(s.expiresAt)}</time>
                  </td>
                  <td>{s.current ? <strong>This device</strong> : null}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <form action={signOutOtherDevices}>
              <button type="submit">Sign out other devices</button>
            </form>
            <form action={signOutEverywhere}>
              <button type="submit">Sign out everywhere</button>
            </form>
          </div>
        </>
      )}
    </section>
  );
}
