/**
 * True for any object that is not an array or `null`: the shape of a JSON
 * object, which is all that parsed or stored input is checked for.
 *
 * @internal
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True only for an object literal (or one without a prototype): never a
 * `Date`, `Map` or class instance, which JSON would silently mangle.
 *
 * @internal
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
