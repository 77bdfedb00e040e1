/**
 * Items per batch when one operation covers many sessions (a user may have
 * thousands): bounds each pipeline, Cluster burst, HTTP request and script
 * argument list, and gives each batch its own store-call deadline.
 */
export const BATCH_SIZE = 1000;

/**
 * `items` cut into consecutive batches of at most {@link BATCH_SIZE}; none
 * when `items` is empty.
 */
export function batches<T>(items: readonly T[], size = BATCH_SIZE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
