import type { NextApiRequest, NextApiResponse } from 'next';
import { pages } from '../../app/lib/session';

// The request header through which proxy.ts hands its session to the render
// (src/next/hand-off.ts); a client's value must never reach this far.
const HAND_OFF_HEADER = 'x-next-session-kit-hand-off';

/**
 * For the e2e suite (404 unless DEMO_CHECKS=1): what this Pages Router API
 * route, behind the guard, received: the hand-off header (an id the guard
 * set, or none) and the session's user.
 */
export default async function handler(req: NextApiRequest, res: NextApiResponse): Promise<void> {
  if (process.env.DEMO_CHECKS !== '1') {
    res.status(404).end('Not found');
    return;
  }
  res.setHeader('cache-control', 'private, no-store');
  const handOff = req.headers[HAND_OFF_HEADER];
  const session = await pages(req, res).getSession();
  res
    .status(200)
    .json({ handOff: typeof handOff === 'string' ? handOff : null, user: session.get('user') ?? null });
}
