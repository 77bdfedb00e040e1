import type { StoreAdapter } from '../storage/store/adapter.ts';

/**
 * One call the kit made to an adapter.
 */
export interface AdapterCall {
  method: 'get' | 'create' | 'update' | 'delete' | 'takeFlash' | 'listByUser';
  args: unknown[];
}

/**
 * The adapter, with every call the kit makes to it recorded (in order) and
 * optionally its `get()` answers replaced, to see what the kit asks of a
 * store and what it makes of what a store answers.
 */
export function recording(adapter: StoreAdapter): {
  adapter: StoreAdapter;
  calls: AdapterCall[];
  /** When set, what `get()` resolves to instead of the stored session. */
  answer: { get?: (stored: unknown) => unknown };
} {
  const calls: AdapterCall[] = [];
  const answer: { get?: (stored: unknown) => unknown } = {};
  const log = (method: AdapterCall['method'], args: unknown[]) => calls.push({ method, args });
  const wrapped: StoreAdapter = {
    name: adapter.name,
    async get(key, touch) {
      // A touch is passed on only where it was given: an adapter's get() may count its arguments.
      log('get', touch === undefined ? [key] : [key, touch]);
      const stored = await (touch === undefined ? adapter.get(key) : adapter.get(key, touch));
      return (answer.get === undefined ? stored : answer.get(stored)) as Awaited<
        ReturnType<StoreAdapter['get']>
      >;
    },
    create(key, session, write) {
      log('create', [key, session, write]);
      return adapter.create(key, session, write);
    },
    update(key, change) {
      log('update', [key, change]);
      return adapter.update(key, change);
    },
    delete(keys, userId) {
      log('delete', [keys, userId]);
      return adapter.delete(keys, userId);
    },
    takeFlash(key, until) {
      log('takeFlash', [key, until]);
      return adapter.takeFlash(key, until);
    },
    listByUser(userId) {
      log('listByUser', [userId]);
      return adapter.listByUser(userId);
    },
  };
  if (adapter.capabilities !== undefined) Object.assign(wrapped, { capabilities: adapter.capabilities });
  return { adapter: wrapped, calls, answer };
}
