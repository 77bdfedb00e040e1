import 'server-only';

/**
 * The pages and routes under /checks exist for the e2e suite: they answer 404
 * unless the server runs with DEMO_CHECKS=1.
 */
export function checksEnabled(): boolean {
  return process.env.DEMO_CHECKS === '1';
}

const seen = new WeakSet<object>();

/**
 * True the first time this process sees `session`: a session object handed
 * out again in a later request would be one shared across requests.
 */
export function firstSeen(session: object): boolean {
  if (seen.has(session)) return false;
  seen.add(session);
  return true;
}
