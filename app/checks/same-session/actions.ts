'use server';

import { redirect } from 'next/navigation';
import { getSession } from '../../lib/session';
import { checksEnabled } from '../lib';

/** getSession() called three times in one Server Action: one object, reported through the redirect. */
export async function compareInAction(): Promise<void> {
  if (!checksEnabled()) return;
  const first = await getSession();
  const [second, third] = await Promise.all([getSession(), getSession()]);
  redirect(`/checks/same-session?action=${first === second && first === third ? 'same' : 'different'}`);
}
