import { refresh } from 'next/cache.js';

/**
 * After a Server Action saved changed session data: asks Next to send the
 * re-rendered page (layouts included) with the action's response, so server
 * components and `useSession()` show the new values without a reload.
 *
 * A new cookie already makes Next do that; a store keeps the same cookie when
 * only the data changes, and nothing would tell Next. Outside a Server
 * Action (Route Handler, test) `refresh()` refuses and there is nothing to do.
 */
export function refreshAfterSave(): void {
  try {
    refresh();
  } catch {
    // Not in a Server Action: a Route Handler's caller refreshes itself (router.refresh()).
  }
}
