import { increment, logout, rename } from './actions';
import { FlashNotice } from './lib/flash-notice';
import { getSession } from './lib/session';
import { withSessionStore } from './lib/session-store';

// A server component: it may read the session, never save it.
// If the session store is down it shows "Session store unavailable" (status 200: see withSessionStore).
export default function HomePage() {
  return withSessionStore(renderHome);
}

async function renderHome() {
  const session = await getSession();
  const user = session.get('user');
  const count = session.get('count') ?? 0;
  const notice = await session.getFlash('notice');

  return (
    <section aria-labelledby="home-heading">
      <FlashNotice message={notice} />
      <h1 id="home-heading">Your session</h1>
      <p className="status" data-testid="session-user">
        {user ? `Signed in as ${user}` : 'Not signed in'}
      </p>
      <dl className="facts">
        <dt>Session id</dt>
        <dd>
          <code data-testid="session-id">{session.id}</code>
        </dd>
        <dt>New (not from a cookie)</dt>
        <dd data-testid="session-new">{String(session.isNew)}</dd>
        <dt>Created</dt>
        <dd>
          <time data-testid="session-created" dateTime={new Date(session.createdAt).toISOString()}>
            {new Date(session.createdAt).toISOString()}
          </time>
        </dd>
        <dt>Expires</dt>
        <dd>
          <time data-testid="session-expires" dateTime={new Date(session.expiresAt).toISOString()}>
            {new Date(session.expiresAt).toISOString()}
          </time>
        </dd>
        <dt>Counter</dt>
        <dd data-testid="session-count">{count}</dd>
      </dl>
      <div className="actions">
        <form action={increment}>
          <button type="submit">Increment counter</button>
        </form>
        {user ? (
          <form action={logout}>
            <button type="submit">Log out</button>
          </form>
        ) : null}
        {user ? (
          <form action={rename}>
            <label htmlFor="display-name">Display name</label>{' '}
            <input id="display-name" name="name" type="text" defaultValue={user} maxLength={64} />{' '}
            <button type="submit">Rename</button>
          </form>
        ) : null}
      </div>
    </section>
  );
}
