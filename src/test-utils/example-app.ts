// A small app written the way a user writes one (lib/session.ts, Server
// Actions, a Route Handler, a page), for the tests of
// `next-session-kit/testing`. Nothing here knows it runs under a test.
import { redirect } from 'next/navigation.js';
import { z } from 'zod';
import { createSessionKit } from '../next/kit.ts';
import { memoryStorage } from '../storage/memory-storage.ts';

// lib/session.ts
export const { getSession, newSession, destroySession, hasSession } = createSessionKit({
  storage: memoryStorage(),
  schema: z.object({ user: z.string().optional(), count: z.number().optional() }),
});

// app/login/actions.ts
export async function login(formData: FormData): Promise<void> {
  const name = String(formData.get('name') ?? '').trim();
  if (!name) return;
  const session = await newSession({ userId: name });
  session.set('user', name);
  await session.save();
  redirect('/');
}

// app/actions.ts
export async function increment(): Promise<number> {
  const session = await getSession();
  const count = (session.get('count') ?? 0) + 1;
  session.set('count', count);
  await session.save();
  return count;
}

// A bug the unsaved-changes warning catches: save() is missing.
export async function incrementWithoutSaving(): Promise<void> {
  const session = await getSession();
  session.set('count', (session.get('count') ?? 0) + 1);
}

export async function logout(): Promise<void> {
  await destroySession();
  redirect('/login');
}

// app/page.tsx (a server component: it only reads)
export async function Home(): Promise<string> {
  const session = await getSession();
  const user = session.get('user');
  return user ? `Signed in as ${user}. Count: ${session.get('count') ?? 0}` : 'Sign in';
}

// app/api/me/route.ts
export async function GET(): Promise<Response> {
  if (!(await hasSession())) return Response.json({ error: 'unauthenticated' }, { status: 401 });
  return Response.json({ user: (await getSession()).get('user') });
}
