import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import type { UserSessionInfo } from 'next-session-kit';
import { deviceLabel } from '../lib/device-label';
import { FlashNotice } from '../lib/flash-notice';
import { getSession, listUserSessions, storageName } from '../lib/session';
import { isSessionUnsupportedError, withSessionStore } from '../lib/session-store';
import { signOutDevice, signOutEverywhere, signOutOtherDevices } from './actions';

export const metadata: Metadata = { title: 'Your sessions · next-session-kit demo' };

const iso = (ms: number) => new Date(ms).toISOString();

/** "just now", "5 minutes ago": last activity moves in steps of the touch interval anyway. */
function ago(ms: number, now: number): string {
  const minutes = Math.floor((now - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'} ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} hour${hours === 1 ? '' : 's'} ago`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? '' : 's'} ago`;
}

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
  const now = Date.now();
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
                <th scope="col">Device</th>
                <th scope="col">Last active</th>
                <th scope="col">Signed in</th>
                <th scope="col">Session</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s.ref} data-testid="session-row" data-current={s.current ? 'true' : undefined}>
                  <td>
                    <span data-testid="session-device" title={s.userAgent}>
                      {deviceLabel(s.userAgent)}
                    </span>
                    {s.ip === undefined ? null : <span className="muted"> · {s.ip}</span>}
                    {s.current ? (
                      <>
                        {' '}
                        <strong>This device</strong>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <time dateTime={iso(s.lastSeenAt)} data-testid="session-last-active">
                      {ago(s.lastSeenAt, now)}
                    </time>
                  </td>
                  <td>
                    {s.authenticatedAt === undefined ? (
                      'unknown'
                    ) : (
                      <time dateTime={iso(s.authenticatedAt)}>{iso(s.authenticatedAt)}</time>
                    )}
                  </td>
                  <td>
                    <code>{s.ref}</code>
                  </td>
                  <td>
                    <form action={signOutDevice}>
                      <input type="hidden" name="ref" value={s.ref} />
                      <button
                        type="submit"
                        aria-label={`Sign out ${deviceLabel(s.userAgent)}${s.current ? ' (this device)' : ''}`}
                      >
                        Sign out
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <form action={signOutOtherDevices}>
              <button type="submit">Sign out all other devices</button>
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
