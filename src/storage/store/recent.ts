/**
 * The last `size` values stored, by string key: for values computed from a
 * request's token on every request (its hash, a store key). Handing back the
 * same string object also spares a client re-hashing and re-flattening a
 * freshly concatenated string.
 */
export class Recent<V> {
  readonly #values = new Map<string, V>();
  // A request asks for the same key on load and on save: the last one
  // answers without a lookup.
  #lastKey: string | undefined;
  #lastValue: V | undefined;
  constructor(readonly size = 256) {}

  get(key: string): V | undefined {
    if (key === this.#lastKey) return this.#lastValue;
    const value = this.#values.get(key);
    if (value !== undefined) {
      this.#lastKey = key;
      this.#lastValue = value;
    }
    return value;
  }

  /** Stores `value` (forgetting the oldest one when full) and returns it. */
  set(key: string, value: V): V {
    if (this.#values.size >= this.size) this.#values.delete(this.#values.keys().next().value as string);
    this.#values.set(key, value);
    this.#lastKey = key;
    this.#lastValue = value;
    return value;
  }
}

/**
 * `fn` with its last results remembered (see {@link Recent}).
 */
export function remembered(fn: (key: string) => string): (key: string) => string {
  const recent = new Recent<string>();
  return (key) => recent.get(key) ?? recent.set(key, fn(key));
}
