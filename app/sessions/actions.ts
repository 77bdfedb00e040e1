'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { destroySession, destroyUserSessions, getSession, listUserSessions } from '../lib/session';

/** The signed-in user's id, or a redirect to /login. */
async function currentUser(): Promise<string> {
  const session = await getSession();
  const userId = session.userId ?? session.get('user');
  if (!userId) redirect('/login');
  return userId;
}

/** "Sign out other devices": ends every session of this user except this one. */
export async function signOutOtherDevices(): Promise<void> {
  const userId = await currentUser();
  const sessions = await listUserSessions(userId);
  const except = sessions.filter((s) => s.current).map((s) => s.ref);
  await destroyUserSessions(userId, { except });
  revalidatePath('/sessions');
}

/** "Sign out everywhere": ends all of this user's sessions, this one included. */
export async function signOutEverywhere(): Promise<void> {
  const userId = await currentUser();
  await destroyUserSessions(userId);
  // This device's record is gone already; this also clears its cookie.
  await destroySession();
  redirect('/login');
}
