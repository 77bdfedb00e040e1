// next-session-kit/store: write your own session store. A store implements
// StoreAdapter (six methods over plain data); defineStore() turns it into a
// storage for createSessionKit(), with the kit's tokens, hashing, expiry,
// flash and per-user semantics. Prove it with describeStoreAdapter() from
// next-session-kit/testing/vitest.
export type {
  CreateResult,
  IdleTouch,
  NewSessionWrite,
  SessionChange,
  StoreAdapter,
  StoreCapabilities,
  StoredSession,
  StoredSessionEntry,
} from '../storage/store/adapter.ts';
export { defineStore } from '../storage/store/define-store.ts';
export { decodeStoredSession, encodeStoredSession } from '../storage/store/record-codec.ts';
export { applySessionChange } from '../storage/store/session-change.ts';
export type { StoreOptions } from '../storage/store/store-options.ts';
export type { SessionStorage } from '../storage/types.ts';
