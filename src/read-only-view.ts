const readOnlyMessage = 'session.data is read-only: use session.set(), session.delete() or session.clear().';

/**
 * A live view of `source()` (it follows `clear()` and `invalidate()`) that
 * refuses writes, so a change can never bypass the session's change set.
 *
 * @internal
 */
export function readOnlyView(source: () => Record<string, unknown>): object {
  const fail = (): never => {
    throw new TypeError(readOnlyMessage);
  };
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get: (_t, key) => (typeof key === 'string' && Object.hasOwn(source(), key) ? source()[key] : undefined),
    has: (_t, key) => typeof key === 'string' && Object.hasOwn(source(), key),
    ownKeys: () => Reflect.ownKeys(source()),
    getOwnPropertyDescriptor: (_t, key) => {
      const desc = Reflect.getOwnPropertyDescriptor(source(), key);
      return desc === undefined ? undefined : { ...desc, configurable: true, writable: false };
    },
    set: fail,
    deleteProperty: fail,
    defineProperty: fail,
    setPrototypeOf: fail,
  });
}
