'use server';

import { redirect } from 'next/navigation';
import { safeNextPath } from 'next-session-kit';
import { bindsUsers, newSession } from '../lib/session';
import { isSessionStoreError, STORE_UNAVAILABLE_MESSAGE } from '../lib/session-store';

export type LoginState = { error: string | null; username: string };

const MAX_USERNAME = 64;

/**
 * Signs in: a fresh session (new id) replaces whatever session existed, then
 * goes back to the page that sent the visitor here (`next`), if that is a
 * path on this site, else home: `//evil.example` is no place to send anyone.
 */
export async function login(_prev: LoginState, formData: FormData): Promise<LoginState> {
  const raw = formData.get('username');
  const name = typeof raw === 'string' ? raw.trim() : '';
  if (name.length === 0) return { error: 'Enter a username.', username: name };
  if (name.length > MAX_USERNAME) {
    return { error: `The username must be at most ${MAX_USERNAME} characters.`, username: name };
  }

  try {
    // aiohttp-session's format has no field for a user id or flash messages (saving them would throw
    // SessionUnsupportedError): there the user is only the `user` value, which Python reads too.
    // "Remember me" unticked: a browser-session cookie, gone when the browser closes (the server
    // still ends the session at maxAge and idleTimeout).
    const persistent = formData.get('remember') === 'on';
    const session = await newSession(bindsUsers ? { userId: name, persistent } : {});
    session.set('user', name);
    // Shown once, by whichever page renders next.
    if (bindsUsers) session.flash('notice', `Welcome, ${name}!`);
    await session.save();
  } catch (error) {
    if (!isSessionStoreError(error)) throw error;
    return { error: STORE_UNAVAILABLE_MESSAGE, username: name };
  }
  redirect(safeNextPath(formData.get('next'), '/'));
}
