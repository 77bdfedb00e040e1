import { deviceFacts } from '../devices.ts';
import type { SessionEngine, SignIn } from '../engine.ts';
import { SessionConfigError } from '../errors.ts';
import { validateUserId } from './user-id.ts';

/**
 * What `newSession()` (App Router or Pages Router) asks of the engine, from
 * its options and the request's headers: checked here, once. The headers
 * are read only for a store-backed storage, the only kind that records the
 * device.
 *
 * @internal
 */
export async function signInOf(
  engine: SessionEngine,
  options: { userId?: unknown; keepData?: unknown; persistent?: unknown; maxAge?: unknown } | undefined,
  headers: () => Headers | Promise<Headers>,
): Promise<SignIn> {
  const userId = validateUserId(options?.userId);
  const keepData = options?.keepData ?? false;
  if (typeof keepData !== 'boolean') throw new SessionConfigError('`keepData` must be true or false.');
  const own = engine.lifetime.own({ persistent: options?.persistent, maxAge: options?.maxAge });
  const device = engine.storage.users === null ? {} : deviceFacts(engine.options.devices, await headers());
  return { userId, keepData, device, own };
}
