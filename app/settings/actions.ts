'use server';

import { redirect } from 'next/navigation';
import { SessionNotFreshError } from 'next-session-kit';
import { requireFreshSession, settingsFreshSeconds } from '../lib/session';

export type SettingsState = { error: string | null };

const MAX_NAME = 64;

/**
 * Saves the display name, only with a sign-in at most `settingsFreshSeconds`
 * old: the guard checked the page, but an action can be posted long after
 * the page was loaded, so it checks again.
 */
export async function saveSettings(_prev: SettingsState, formData: FormData): Promise<SettingsState> {
  const raw = formData.get('displayName');
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (name.length === 0 || name.length > MAX_NAME) {
    return { error: `The display name must be 1 to ${MAX_NAME} characters.` };
  }
  let session: Awaited<ReturnType<typeof requireFreshSession>>;
  try {
    session = await requireFreshSession({ maxAge: settingsFreshSeconds });
  } catch (error) {
    if (error instanceof SessionNotFreshError) redirect('/reauth?next=%2Fsettings');
    throw error;
  }
  session.set('displayName', name);
  session.flash('notice', 'Settings saved.');
  await session.save();
  redirect('/settings');
}
