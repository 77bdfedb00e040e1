import type { GetServerSideProps } from 'next';
import { pages, storageName } from '../app/lib/session';

type Props = { user: string | null; count: number; storage: string };

/**
 * The Pages Router reading the same session as the App Router: `pages(req, res)`
 * binds the kit to this request (a login on either side shows on both).
 */
export const getServerSideProps: GetServerSideProps<Props> = async ({ req, res }) => {
  const session = await pages(req, res).getSession();
  // The page depends on the visitor's cookie: never cache it for someone else.
  res.setHeader('cache-control', 'private, no-store');
  return {
    props: { user: session.get('user') ?? null, count: session.get('count') ?? 0, storage: storageName },
  };
};

export default function PagesRouterPage({ user, count, storage }: Props) {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '2rem auto' }}>
      <h1>Pages Router</h1>
      <p data-testid="pages-user">{user ? `Signed in as ${user}` : 'Not signed in'}</p>
      <p>
        Counter: <span data-testid="pages-count">{count}</span> · storage:{' '}
        <span data-testid="pages-storage">{storage}</span>
      </p>
      {/* Plain HTML forms posting to the API route, which answers with a redirect back here. */}
      <form method="post" action="/api/pages-session">
        <input type="hidden" name="action" value="increment" />
        <button type="submit">Increment (Pages Router)</button>
      </form>
      {user ? (
        <form method="post" action="/api/pages-session">
          <input type="hidden" name="action" value="logout" />
          <button type="submit">Log out (Pages Router)</button>
        </form>
      ) : (
        <form method="post" action="/api/pages-session">
          <input type="hidden" name="action" value="login" />
          <label>
            Name <input name="username" required maxLength={64} />
          </label>{' '}
          <button type="submit">Sign in (Pages Router)</button>
        </form>
      )}
      <p>
        <a href="/">The App Router side</a>
      </p>
    </main>
  );
}
