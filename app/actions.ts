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

/** Logs out: clears the session cookie. */
export async function logout(): Promise<void> {
  await destroySession();
  redirect('/login');
}
