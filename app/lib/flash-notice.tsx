/**
 * The `notice` flash message left by the previous request (e.g. "Welcome, ada!"
 * after signing in), if any. Pages read it with `await session.getFlash('notice')`
 * inside their withSessionStore render: it shows exactly once.
 */
export function FlashNotice({ message }: { message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="notice" role="status" data-testid="flash-notice">
      {message}
    </p>
  );
}
