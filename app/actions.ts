'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { destroySession, getSession } from './lib/session';

/** Adds one to the session counter (works for anonymous visitors too). */
export async function increment(): Promise<void> {
  const session = await getSession();
  session.set('count', (session.get('count') ?? 0) + 1);
  await session.save();
  revalidatePath('/');
}

/**
 * Changes the signed-in user's display name. No redirect and no
 * revalidatePath: the kit has Next re-render the page with the action's
 * response, so the page and the client-side header (useSession()) follow.
 */
export async function rename(formData: FormData): Promise<void> {
  const raw = formData.get('name');
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (name.length === 0 || name.length > 64) return;
  const session = await getSession();
  if (session.get('user') === undefined) return;
  session.set('user', name);
  await session.save();
}

/** Logs out: clears the session cookie. */
export async function logout(): Promise<void> {
  await destroySession();
  redirect('/login');
}
