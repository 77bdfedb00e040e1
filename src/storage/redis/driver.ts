import { defineOwn } from '../../own-property.ts';
import { batches } from '../store/batches.ts';
import type { IndexEntry, IndexWrite, StoreDriver, StoredRecord, StoreWrite } from '../store/driver.ts';
import { checkRecord, decodeValue, decodeValueOr, encodeValue, UNDECODABLE } from '../store/record-codec.ts';
import { enforceSessionLimit } from '../store/session-limit.ts';
import type { RedisCall, RedisExecutor } from './executor.ts';
import { INDEX_ADD, INDEX_LIST, INDEX_REMOVE, SAVE, TAKE_FLASH, TOUCH } from './scripts.ts';

// Hash layout: `_id`, `_a` (lastActiveAt), `_u` (userId), `_v` (data
// version, when not 1), one `d.<key>`
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
  const driver: StoreDriver = {
    name: exec.name,
    mergesKeys: true,

    load: (key) => exec.hgetall(key).then(parseHash),

    async loadMany(keys) {
      const records: Array<StoredRecord | null | 'corrupt'> = [];
      for (const batch of batches(keys)) {
        for (const hash of await exec.hgetallMany(batch)) records.push(parseHash(hash));
      }
      return records;
    },

    save(write: StoreWrite) {
      const args = saveArgs(write);
      const { remove, index } = write;
      // A save that only writes its own session (nearly all of them) is one
      // script: no batch to build.
      if (remove.length === 0 && index === undefined) return exec.script(SAVE, write.key, args, isOne);
      const calls: RedisCall[] = [{ script: SAVE, key: write.key, args }];
      for (const key of remove) calls.push({ del: key });
      if (index === undefined) return exec.run(calls).then((replies) => isOne(replies[0]));
      return saveIndexed(calls, index);
    },

    async takeFlash(key) {
      // The TTL is untouched: HDEL keeps it.
      const reply = await exec.script(TAKE_FLASH, key, []);
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

    touch: (key, lastActiveAt, expiresAt) =>
      exec.script(TOUCH, key, [encodeValue(lastActiveAt), String(expiresAt)], isOne),

    async remove(keys) {
      // One DEL per key: on a Cluster the keys live in different slots.
      for (const batch of batches(keys)) await exec.run(batch.map((key) => ({ del: key })));
    },

    async listIndex(indexKey, now): Promise<IndexEntry[]> {
      return parseIndexReply(await exec.script(INDEX_LIST, indexKey, [String(now)]));
    },

    async removeFromIndex(indexKey, members) {
      for (const batch of batches(members)) await exec.script(INDEX_REMOVE, indexKey, batch);
    },
  };

  // A login: its record (and the deletion of the sessions it replaces) must
  // take effect before its index entry is visible, or a concurrent login
  // could list the entry, find no record, take the session for ended and
  // drop it from the index (see enforceSessionLimit). One ordered pipeline
  // where the executor guarantees the order, else two round trips.
  async function saveIndexed(calls: RedisCall[], index: IndexWrite): Promise<boolean> {
    const { key, member, expiresAt, now, limit, drop } = index;
    const add = {
      script: INDEX_ADD,
      key,
      args: [member, String(expiresAt), String(now), String(limit ?? 0), ...drop],
    };
    let saved: boolean;
    let reply: unknown;
    if (exec.ordered) {
      const replies = await exec.run([...calls, add]);
      saved = isOne(replies[0]);
      reply = replies[replies.length - 1];
    } else {
      saved = isOne((await exec.run(calls))[0]);
      if (!saved) return false;
      reply = await exec.script(add.script, add.key, add.args);
    }
    // The index script lists the entries only when it holds more than the limit.
    const crowded = parseIndexReply(reply);
    if (saved && crowded.length > 0) await enforceSessionLimit(driver, index, crowded);
    return saved;
  }

  return driver;
}

// `j` + JSON `[member, score, …]`, as the index scripts return them.
function parseIndexReply(reply: unknown): IndexEntry[] {
  const decoded = decodeValue(reply);
  if (decoded === undefined || !Array.isArray(decoded.value)) return [];
  const flat = decoded.value as unknown[];
  const entries: IndexEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    entries.push({ member: String(flat[i]), expiresAt: Number(flat[i + 1]) });
  }
  return entries;
}

const isOne = (reply: unknown): boolean => Number(reply) === 1;

/**
 * The SAVE script's ARGV: mode, expiresAt, n, n field/value pairs, then the
 * fields to delete. Identity fields never change after creation, so merges
 * send only `_a` and the changed keys.
 */
function saveArgs(write: StoreWrite): string[] {
  const { record } = write;
  const args = [write.mode, String(write.expiresAt), '', '_a', encodeValue(record.lastActiveAt)];
  let unset: string[] | undefined;
  if (write.mode === 'merge') {
    const { data, flash } = record;
    for (const name of write.changed) {
      if (Object.hasOwn(data, name)) args.push(DATA + name, encodeValue(data[name]));
      else if (unset === undefined) unset = [DATA + name];
      else unset.push(DATA + name);
    }
    if (flash !== undefined) {
      for (const name of write.changedFlash) {
        if (Object.hasOwn(flash, name)) args.push(FLASH + name, encodeValue(flash[name]));
      }
    }
  } else {
    args.push('_id', encodeValue(record.id));
    if (record.userId !== undefined) args.push('_u', encodeValue(record.userId));
    if (record.version !== undefined) args.push('_v', encodeValue(record.version));
    pushFields(args, DATA, record.data);
    if (record.flash !== undefined) pushFields(args, FLASH, record.flash);
  }
  args[2] = String((args.length - 3) / 2);
  if (unset !== undefined) for (const field of unset) args.push(field);
  return args;
}

function pushFields(args: string[], prefix: string, values: Record<string, unknown>): void {
  for (const name of Object.keys(values)) args.push(prefix + name, encodeValue(values[name]));
}

// Stored data is untrusted too: anything malformed is 'corrupt', which the
// kit treats as an invalid session.
function parseHash(hash: Record<string, unknown> | null | undefined): StoredRecord | null | 'corrupt' {
  if (hash === null || hash === undefined) return null;
  const names = Object.keys(hash);
  if (names.length === 0) return null;
  const data: Record<string, unknown> = {};
  let flash: Record<string, unknown> | undefined;
  let id: unknown;
  let lastActiveAt: unknown;
  let userId: unknown;
  let version: unknown;
  for (const name of names) {
    const value = decodeValueOr(hash[name]);
    if (value === UNDECODABLE) return 'corrupt';
    if (name.startsWith(DATA)) {
      const key = name.slice(DATA.length);
      if (key === '__proto__') assign(data, key, value);
      else data[key] = value;
    } else if (name.startsWith(FLASH)) {
      flash ??= {};
      assign(flash, name.slice(FLASH.length), value);
    } else if (name === '_id') id = value;
    else if (name === '_a') lastActiveAt = value;
    else if (name === '_u') userId = value;
    else if (name === '_v') version = value;
  }
  return checkRecord({ id, lastActiveAt, userId, data, flash, version }) ?? 'corrupt';
}

// A stored "__proto__" key must stay plain data, never a prototype.
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineOwn(target, key, value);
  else target[key] = value;
}
