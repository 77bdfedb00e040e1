'use server';

import { redirect } from 'next/navigation';
import { safeNextPath } from 'next-session-kit';
import { getSession, newSession } from '../lib/session';
import { isSessionStoreError, STORE_UNAVAILABLE_MESSAGE } from '../lib/session-store';

export type ReauthState = { error: string | null };

/**
 * Confirms the signed-in user (this demo has no passwords: the username
 * again stands for one) and re-authenticates: `keepData` gives a new
 * session id and cookie, `authenticatedAt` now, and the same data.
 */
export async function reauthenticate(_prev: ReauthState, formData: FormData): Promise<ReauthState> {
  const session = await getSession();
  const userId = session.userId;
  if (userId === undefined) redirect('/login');
  const raw = formData.get('username');
  if (typeof raw !== 'string' || raw.trim() !== userId) {
    return { error: 'That is not the user signed in here.' };
  }
  try {
    const fresh = await newSession({ userId, keepData: true });
    await fresh.save();
  } catch (error) {
    if (!isSessionStoreError(error)) throw error;
    return { error: STORE_UNAVAILABLE_MESSAGE };
  }
  redirect(safeNextPath(formData.get('next'), '/'));
}
