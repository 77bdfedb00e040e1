/**
 * Sets `target[key] = value` as an own, enumerable data property. Used
 * wherever a key comes from session data: plain assignment would turn a key
 * named `__proto__` into the object's prototype instead of data.
 */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
