import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getSession } from '../lib/session';
import { withSessionStore } from '../lib/session-store';
import { ReauthForm } from './reauth-form';

export const metadata: Metadata = { title: 'Confirm it’s you · next-session-kit demo' };

type SearchParams = Record<string, string | string[] | undefined>;

// Where the guard sends a signed-in user whose sign-in is too old for the
// page they asked for (`fresh` in proxy.ts), with `?next=` that page.
export default function ReauthPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  return withSessionStore(() => renderReauth(searchParams));
}

async function renderReauth(searchParams: Promise<SearchParams>) {
  const session = await getSession();
  const { next } = await searchParams;
  const target = typeof next === 'string' ? next : '/';
  if (session.userId === undefined) redirect(`/login?next=${encodeURIComponent(target)}`);
  const signedInAt = session.authenticatedAt;
  return (
    <section aria-labelledby="reauth-heading">
      <h1 id="reauth-heading">Confirm it’s you</h1>
      <p>
        This page needs a recent sign-in. You are signed in as <strong>{session.userId}</strong>
        {signedInAt === undefined ? '' : ` since ${new Date(signedInAt).toISOString()}`}: enter your username
        again to continue (this demo has no passwords).
      </p>
      <ReauthForm next={target} />
    </section>
  );
}
