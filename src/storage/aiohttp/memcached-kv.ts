import type { Client } from 'memjs';
import { memcachedExpiry } from '../memcached/records.ts';
import type { AiohttpKv } from './store.ts';

/**
 * {@link AiohttpKv} over a memjs client, with aiohttp-session's `exptime`
 * rule (seconds up to 30 days, an absolute Unix time beyond).
 */
export function memjsAiohttpKv(client: Client, now: () => number): AiohttpKv {
  return {
    name: 'memcached',
    async get(key) {
      const { value } = await client.get(key);
      return value === null || value === undefined ? null : value.toString('utf8');
    },
    async set(key, value, ttlSeconds, onlyIfPresent) {
      const t = now();
      const expires = memcachedExpiry(t + ttlSeconds * 1000, t);
      const ok = onlyIfPresent
        ? await client.replace(key, value, { expires })
        : await client.set(key, value, { expires });
      return ok === true;
    },
    async remove(keys) {
      await Promise.all(keys.map((key) => client.delete(key)));
    },
  };
}
