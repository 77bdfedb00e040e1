/** AES-GCM's 96-bit IV. */
export const IV_BYTES = 12;
const IV_POOL_BYTES = IV_BYTES * 1024;

/**
 * Fresh IVs from a CSPRNG-filled pool, each byte handed out once,
 * synchronously: a CSPRNG call per IV (`randomBytes(12)`,
 * `getRandomValues`) costs about as much as the whole encryption.
 *
 * @internal
 */
export function ivPool<Pool extends Uint8Array>(
  allocate: (bytes: number) => Pool,
  fill: (pool: Pool) => void,
): () => Pool {
  const pool = allocate(IV_POOL_BYTES);
  let offset = IV_POOL_BYTES;
  return () => {
    if (offset === IV_POOL_BYTES) {
      fill(pool);
      offset = 0;
    }
    const start = offset;
    offset += IV_BYTES;
    // A Buffer's subarray is a Buffer, a Uint8Array's a Uint8Array.
    return pool.subarray(start, offset) as Pool;
  };
}
