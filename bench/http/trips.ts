import type { Redis } from 'ioredis';
import type { BenchKv } from './kv.ts';
import { plainRequest } from './request.ts';
import type { BenchServer } from './server.ts';
import type { Variant } from './variants.ts';

// Round trips per request, counted at the store, never assumed: for Redis the
// read events redis-server processed (`total_reads_processed` in INFO stats:
// one per request a client sends while it waits for the answer, however many
// commands that request holds), for KV the HTTP requests the bridge received.
// Commands come from INFO commandstats. Requests are sent one at a time, so
// nothing else overlaps them.

/** What one request of a variant cost at its store. */
export interface StoreTrips {
  readonly id: string;
  readonly store: 'redis' | 'kv';
  readonly requests: number;
  /** Round trips to the store per request (Redis read events, or HTTP calls to the KV REST API). */
  readonly roundTrips: number;
  /** Commands redis-server ran per request, by name (for KV: behind the REST API). */
  readonly commands: Record<string, number>;
}

interface Snapshot {
  readonly reads: number;
  readonly kvRequests: number;
  readonly commands: Map<string, number>;
}

async function snapshot(admin: Redis, kv: BenchKv | undefined): Promise<Snapshot> {
  const info = await admin.info('all');
  const commands = new Map<string, number>();
  for (const [, name, calls] of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== undefined && name !== 'info') commands.set(name, Number(calls));
  }
  const reads = Number(/^total_reads_processed:(\d+)/m.exec(info)?.[1]);
  if (!Number.isFinite(reads))
    throw new Error('redis-server reports no total_reads_processed (Redis ≥ 6.2 needed)');
  return { reads, kvRequests: kv === undefined ? 0 : await kv.requests(), commands };
}

interface Delta {
  readonly reads: number;
  readonly kvRequests: number;
  readonly commands: Map<string, number>;
}

function delta(before: Snapshot, after: Snapshot): Delta {
  const commands = new Map<string, number>();
  for (const [name, calls] of after.commands) {
    const d = calls - (before.commands.get(name) ?? 0);
    if (d !== 0) commands.set(name, d);
  }
  return { reads: after.reads - before.reads, kvRequests: after.kvRequests - before.kvRequests, commands };
}

async function send(server: BenchServer, variant: Variant): Promise<void> {
  const response = await plainRequest(server.origin, variant);
  if (response.status !== 200) throw new Error(`${variant.id}: status ${response.status} while counting`);
}

/**
 * Sends `n` requests of `variant`, one at a time, and divides what the store
 * saw by `n`, less what taking the two snapshots costs by itself.
 */
export async function countTrips(
  server: BenchServer,
  variant: Variant,
  n: number,
  admin: Redis,
  kv: BenchKv | undefined,
): Promise<StoreTrips> {
  const store = variant.store;
  if (store === undefined) throw new Error(`${variant.id} talks to no store`);
  // The snapshots' own reads (INFO is a request too), measured with nothing in between.
  const idle = delta(await snapshot(admin, kv), await snapshot(admin, kv));
  const before = await snapshot(admin, kv);
  for (let i = 0; i < n; i++) await send(server, variant);
  const after = await snapshot(admin, kv);
  const d = delta(before, after);
  const commands: Record<string, number> = {};
  for (const [name, calls] of d.commands) commands[name] = calls / n;
  const roundTrips = store === 'redis' ? (d.reads - idle.reads) / n : (d.kvRequests - idle.kvRequests) / n;
  return { id: variant.id, store, requests: n, roundTrips, commands };
}
