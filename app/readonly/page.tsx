import type { Metadata } from 'next';
import { SessionError } from 'next-session-kit';
import { getSession } from '../lib/session';
import { withSessionStore } from '../lib/session-store';

export const metadata: Metadata = { title: 'Read-only sessions · next-session-kit demo' };

// Demonstrates the typed error: a server component cannot set cookies, so save() throws.
export default function ReadOnlyPage() {
  return withSessionStore(renderReadOnly);
}

async function renderReadOnly() {
  const session = await getSession();
  let outcome: { code: string; message: string } | null = null;
  try {
    session.set('count', 1);
    await session.save();
  } catch (err) {
    if (!(err instanceof SessionError)) throw err;
    outcome = { code: err.code, message: err.message };
  }

  return (
    <section aria-labelledby="readonly-heading">
      <h1 id="readonly-heading">Saving in a server component</h1>
      <p>
        This page calls <code>session.save()</code> while it renders. Next.js cannot set cookies there, so the
        library throws a typed error instead of silently dropping the change.
      </p>
      {outcome ? (
        <div className="error-box" role="status">
          <p>
            <code data-testid="readonly-code">{outcome.code}</code>
          </p>
          <p data-testid="readonly-message">{outcome.message}</p>
        </div>
      ) : (
        <p data-testid="readonly-code">save() did not throw</p>
      )}
    </section>
  );
}
