import type { IndexEntry, StoreDriver, StoredRecord, StoreWrite } from '../store/driver.ts';
import { checkRecord, decodeValue, encodeValue } from '../store/record-codec.ts';
import type { RedisCall, RedisExecutor } from './executor.ts';
import { INDEX_ADD, INDEX_LIST, INDEX_REMOVE, SAVE, TAKE_FLASH, TOUCH } from './scripts.ts';

// Hash layout: `_id`, `_a` (lastActiveAt), `_u` (userId), one `d.<key>`
// field per data key, so a save can merge single keys atomically, and one
// `f.<key>` field per pending flash message.
const DATA = 'd.';
const FLASH = 'f.';

/**
 * A {@link StoreDriver} for anything that speaks Redis commands: ioredis
 * (single node or Cluster) and Upstash / Vercel KV. Sessions are hashes with
 * one field per data key; every save is one atomic script.
 *
 * @example
 * ```ts
 * const driver = redisProtocolDriver(ioredisExecutor(client));
 * ```
 */
export function redisProtocolDriver(exec: RedisExecutor): StoreDriver {
  return {
    name: exec.name,
    mergesKeys: true,

    load: (key) => exec.hgetall([key]).then(([hash]) => parseHash(hash)),

    async loadMany(keys) {
      if (keys.length === 0) return [];
      return (await exec.hgetall(keys)).map(parseHash);
    },

    save(write: StoreWrite) {
      const fields = metaFields(write.record, write.mode !== 'merge');
      const source = write.mode === 'merge' ? write.set : write.record.data;
      for (const name of Object.keys(source)) fields.push(DATA + name, encodeValue(source[name]));
      const flash = write.mode === 'merge' ? write.flashSet : (write.record.flash ?? {});
      for (const name of Object.keys(flash)) fields.push(FLASH + name, encodeValue(flash[name]));
      const unset = write.mode === 'merge' ? write.unset.map((name) => DATA + name) : [];
      const calls: RedisCall[] = [
        {
          script: SAVE,
          key: write.key,
          args: [write.mode, String(write.expiresAt), String(fields.length / 2), ...fields, ...unset],
        },
        ...write.remove.map((key) => ({ del: key })),
      ];
      if (write.index !== undefined) {
        const { key, member, expiresAt, now } = write.index;
        calls.push({ script: INDEX_ADD, key, args: [member, String(expiresAt), String(now)] });
      }
      return exec.run(calls).then(([saved]) => Number(saved) === 1);
    },

    async takeFlash(key) {
      // The TTL is untouched: HDEL keeps it.
      const [reply] = await exec.run([{ script: TAKE_FLASH, key, args: [] }]);
      const decoded = decodeValue(reply);
      const flash: Record<string, unknown> = {};
      if (decoded === undefined || !Array.isArray(decoded.value)) return flash;
      const flat = decoded.value as unknown[];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const value = decodeValue(flat[i + 1]);
        if (value !== undefined) assign(flash, String(flat[i]).slice(FLASH.length), value.value);
      }
      return flash;
    },

    async touch(key, lastActiveAt, expiresAt) {
      const [touched] = await exec.run([
        { script: TOUCH, key, args: [encodeValue(lastActiveAt), String(expiresAt)] },
      ]);
      return Number(touched) === 1;
    },

    async remove(keys) {
      if (keys.length > 0) await exec.run(keys.map((key) => ({ del: key })));
    },

    async listIndex(indexKey, now): Promise<IndexEntry[]> {
      const [reply] = await exec.run([{ script: INDEX_LIST, key: indexKey, args: [String(now)] }]);
      const decoded = decodeValue(reply);
      if (decoded === undefined || !Array.isArray(decoded.value)) return [];
      const flat = decoded.value as unknown[];
      const entries: IndexEntry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        entries.push({ member: String(flat[i]), expiresAt: Number(flat[i + 1]) });
      }
      return entries;
    },

    async removeFromIndex(indexKey, members) {
      if (members.length > 0) await exec.run([{ script: INDEX_REMOVE, key: indexKey, args: members }]);
    },
  };
}

// Identity fields never change after creation, so merges send only `_a`.
function metaFields(record: StoredRecord, identity: boolean): string[] {
  const fields = ['_a', encodeValue(record.lastActiveAt)];
  if (!identity) return fields;
  fields.push('_id', encodeValue(record.id));
  if (record.userId !== undefined) fields.push('_u', encodeValue(record.userId));
  return fields;
}

// Stored data is untrusted too: anything malformed is 'corrupt', which the
// kit treats as an invalid session.
function parseHash(hash: Record<string, unknown> | null | undefined): StoredRecord | null | 'corrupt' {
  if (hash === null || hash === undefined) return null;
  const names = Object.keys(hash);
  if (names.length === 0) return null;
  const data: Record<string, unknown> = {};
  const flash: Record<string, unknown> = {};
  let id: unknown;
  let lastActiveAt: unknown;
  let userId: unknown;
  for (const name of names) {
    const decoded = decodeValue(hash[name]);
    if (decoded === undefined) return 'corrupt';
    if (name.startsWith(DATA)) assign(data, name.slice(DATA.length), decoded.value);
    else if (name.startsWith(FLASH)) assign(flash, name.slice(FLASH.length), decoded.value);
    else if (name === '_id') id = decoded.value;
    else if (name === '_a') lastActiveAt = decoded.value;
    else if (name === '_u') userId = decoded.value;
  }
  return checkRecord({ id, lastActiveAt, userId, data, flash }) ?? 'corrupt';
}

// A stored "__proto__" key must stay plain data, never a prototype.
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else target[key] = value;
}
