import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { SessionNotFreshError } from 'next-session-kit';
import { FlashNotice } from '../lib/flash-notice';
import { requireFreshSession, settingsFreshSeconds } from '../lib/session';
import { withSessionStore } from '../lib/session-store';
import { SettingsForm } from './settings-form';

export const metadata: Metadata = { title: 'Settings · next-session-kit demo' };

// Needs a recent sign-in: the guard in proxy.ts sends a staler session to
// /reauth?next=/settings; the page checks again on its own (a proxy is not a
// security boundary, see app/dashboard/page.tsx), and so does the action.
export default function SettingsPage() {
  return withSessionStore(renderSettings);
}

async function renderSettings() {
  let session: Awaited<ReturnType<typeof requireFreshSession>>;
  try {
    session = await requireFreshSession({ maxAge: settingsFreshSeconds });
  } catch (error) {
    if (error instanceof SessionNotFreshError) redirect('/reauth?next=%2Fsettings');
    throw error;
  }
  const notice = await session.getFlash('notice');
  const signedInAt = new Date(session.authenticatedAt ?? 0).toISOString();
  return (
    <section aria-labelledby="settings-heading">
      <FlashNotice message={notice} />
      <h1 id="settings-heading">Settings</h1>
      <p className="status" data-testid="settings-user">
        Signed in as {session.get('user') ?? session.userId}
      </p>
      <p>
        Changing settings needs a sign-in at most {settingsFreshSeconds} seconds old. Yours is from{' '}
        <time dateTime={signedInAt} data-testid="settings-signed-in-at">
          {signedInAt}
        </time>
        .
      </p>
      <p data-testid="settings-display-name">Display name: {session.get('displayName') ?? '(not set)'}</p>
      <SettingsForm displayName={session.get('displayName') ?? ''} />
    </section>
  );
}
