import { describe } from 'vitest';
import { contractCases } from './contract-cases.ts';
import { corruptCases } from './corrupt-cases.ts';
import { deviceCases } from './device-cases.ts';
import { kitCases } from './kit-cases.ts';
import { largeCases } from './large-cases.ts';
import { lifetimeCases } from './lifetime-cases.ts';
import { limitCases } from './limit-cases.ts';
import { orderCases } from './order-cases.ts';
import { raceCases } from './race-cases.ts';
import type { CreateAdapter, StoreAdapterSuiteOptions } from './suite-setup.ts';
import { userCases } from './user-cases.ts';

const DEFAULT_TIMEOUT = 60_000;
const DEFAULT_LARGE = { keys: 1000, sessions: 1000 };

/**
 * Registers, in vitest, the conformance suite every store of the kit
 * passes, for your store: the adapter's own contract method by method, then
 * the kit over it (persistence, tokens, what the store is asked to keep and
 * for how long, idle refresh and its throttling, flash exactly once,
 * concurrent saves, no resurrection after logout, rotation, absolute and
 * idle expiry, corrupt records, listing and revoking a user's sessions,
 * what a sign-in records of its device and when,
 * `maxSessionsPerUser` with logins landing in every order, big sessions).
 * Cases that depend on a capability (`atomic`) hold the store to what it
 * declares. `createAdapter` is called once per case: give each call its
 * own namespace (a fresh key prefix, table or map), and pass `now` to a
 * store that keeps time itself, so expiry cases need not wait.
 *
 * @example
 * ```ts
 * // map-store.test.ts
 * import { describeStoreAdapter } from 'next-session-kit/testing/vitest';
 * import { mapStore } from './map-store';
 *
 * describeStoreAdapter('map store', ({ now }) => mapStore(now));
 * ```
 */
export function describeStoreAdapter(
  name: string,
  createAdapter: CreateAdapter,
  options: StoreAdapterSuiteOptions = {},
): void {
  const suite = { createAdapter, options, timeout: options.timeout ?? DEFAULT_TIMEOUT };
  describe(`store adapter: ${name}`, () => {
    contractCases(suite);
    kitCases(suite);
    lifetimeCases(suite);
    raceCases(suite);
    corruptCases(suite);
    userCases(suite);
    deviceCases(suite);
    limitCases(suite);
    orderCases(suite);
    const large = options.large ?? DEFAULT_LARGE;
    if (large !== false) largeCases(suite, large);
  });
}

export type { CreateAdapter, StoreAdapterSuiteOptions } from './suite-setup.ts';
