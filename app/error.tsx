'use client';

// Last resort for errors not handled where they happen, e.g. a Server Action
// (increment, log out) that hit a session-store outage. Pages that read the
// session handle the outage themselves (withSessionStore), and /api/session
// answers 503. Production hides server error messages, so this stays generic.
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <section aria-labelledby="error-heading" className="error-box" role="alert">
      <h1 id="error-heading">Something went wrong</h1>
      <p>The request failed, possibly because the session store is unavailable. Try again in a moment.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
