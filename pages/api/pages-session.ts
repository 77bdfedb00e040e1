import type { NextApiRequest, NextApiResponse } from 'next';
import { bindsUsers, pages } from '../../app/lib/session';

const MAX_USERNAME = 64;

/**
 * The session from a Pages Router API route. GET: the session as JSON. POST
 * (`action` = `login` with `username`, `increment` or `logout`, as a form or
 * JSON): changes and saves it, then sends a form back to /pages-router (303)
 * and answers JSON otherwise. 503 while the session store is down.
 */
export default async function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  res.setHeader('cache-control', 'private, no-store');
  try {
    await handle(req, res);
  } catch (error) {
    // By code, not class: it survives bundling (app/lib/session-store.tsx is server-only).
    if ((error as { code?: unknown } | null)?.code !== 'ERR_SESSION_STORE') throw error;
    res.status(503).json({ error: 'session store unavailable' });
  }
}

async function handle(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  const { getSession, newSession, destroySession } = pages(req, res);
  if (req.method === 'GET') {
    const session = await getSession();
    res.status(200).json({ user: session.get('user') ?? null, count: session.get('count') ?? 0 });
    return;
  }
  if (req.method !== 'POST') {
    res.setHeader('allow', 'GET, POST');
    res.status(405).json({ error: 'method not allowed' });
    return;
  }
  const body: Record<string, unknown> = typeof req.body === 'object' && req.body !== null ? req.body : {};
  switch (body.action) {
    case 'login': {
      const name = typeof body.username === 'string' ? body.username.trim() : '';
      if (name.length === 0 || name.length > MAX_USERNAME) {
        res.status(400).json({ error: `Enter a username of at most ${MAX_USERNAME} characters.` });
        return;
      }
      // A fresh session (new id) replaces whatever session existed.
      const session = await newSession(bindsUsers ? { userId: name } : {});
      session.set('user', name);
      await session.save();
      break;
    }
    case 'increment': {
      const session = await getSession();
      session.set('count', (session.get('count') ?? 0) + 1);
      await session.save();
      break;
    }
    case 'logout':
      await destroySession();
      break;
    default:
      res.status(400).json({ error: 'action must be login, increment or logout' });
      return;
  }
  if (String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
    res.redirect(303, '/pages-router');
    return;
  }
  const session = await getSession();
  res.status(200).json({ user: session.get('user') ?? null, count: session.get('count') ?? 0 });
}
