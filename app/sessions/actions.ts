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

/**
 * "Sign out" on one row: ends exactly that session (`only`). A ref of another
 * user's session ends nothing, so a forged form field cannot sign anyone else
 * out. On this device's own row it is a plain logout.
 */
export async function signOutDevice(formData: FormData): Promise<void> {
  const userId = await currentUser();
  const ref = formData.get('ref');
  if (typeof ref !== 'string') return;
  const current = (await listUserSessions(userId)).find((s) => s.current);
  if (current?.ref === ref) {
    await destroySession();
    redirect('/login');
  }
  await destroyUserSessions(userId, { only: [ref] });
  revalidatePath('/sessions');
}

/** "Sign out all other devices": ends every session of this user except this one. */
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
