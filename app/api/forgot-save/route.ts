import { getSession } from '../../lib/session';

/**
 * A deliberate bug, to show the kit's development safety net: the count is
 * changed but `save()` is never called, so the change is lost. Under
 * `next dev` the server log then says which keys were left unsaved.
 */
export async function POST() {
  const session = await getSession();
  session.set('count', (session.get('count') ?? 0) + 1);
  // await session.save(); ← forgotten on purpose
  return Response.json({ saved: false });
}
