/**
 * Items per batch when one operation covers many sessions (a user may have
 * thousands): bounds each pipeline, Cluster burst, HTTP request and script
 * argument list, and gives each batch its own store-call deadline.
 *
 * @example
 * ```ts
 * for (const batch of batches(keys)) await driver.remove(batch);
 * ```
 */
export const BATCH_SIZE = 1000;

/**
 * `items` cut into consecutive batches of at most {@link BATCH_SIZE}; none
 * when `items` is empty.
 *
 * @example
 * ```ts
 * batches(['a', 'b', 'c'], 2); // [['a', 'b'], ['c']]
 * ```
 */
export function batches<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
