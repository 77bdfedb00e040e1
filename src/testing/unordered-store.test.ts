// The conformance suite must not assume that a store runs concurrent calls in
// the order they were made: a pooled SQL client, for one, sends them on
// different connections. A memory store whose every call takes a random time
// (as a call on a fresh or busy connection does) passes it, as any correct
// store must.
import { describeStoreAdapter } from '../entries/testing/vitest.ts';
import { MemoryMaps, memoryAdapter } from '../storage/memory/adapter.ts';
import type { StoreAdapter } from '../storage/store/adapter.ts';

const METHODS = ['get', 'create', 'update', 'delete', 'takeFlash', 'listByUser'] as const;

function unordered(adapter: StoreAdapter): StoreAdapter {
  const delayed: Record<string, unknown> = { name: 'unordered', capabilities: adapter.capabilities };
  for (const method of METHODS) {
    const call = adapter[method].bind(adapter) as (...args: unknown[]) => Promise<unknown>;
    // The delay comes before the call takes effect, and some calls are much
    // slower than others (a connection being opened): later calls overtake them.
    delayed[method] = async (...args: unknown[]) => {
      await new Promise((resolve) => setTimeout(resolve, Math.random() < 0.5 ? 25 : 0));
      return call(...args);
    };
  }
  return delayed as unknown as StoreAdapter;
}

describeStoreAdapter('memory, every call delayed at random', ({ now }) =>
  unordered(memoryAdapter(new MemoryMaps(), now, 'sess:')),
);
