// Lua scripts, each touching exactly one key so they run unchanged on Redis
// Cluster (no cross-slot errors). Scripts make each save atomic: concurrent
// requests that change different data keys of one session both keep their
// change, and a session deleted meanwhile is never recreated by a late save.
// Variable-length argument lists go to Redis 1000 at a time: Lua's unpack()
// fails with "too many results to unpack" past ~8000 values (LUAI_MAXCSTACK),
// and a session may hold any number of keys, a user any number of sessions.

/**
 * A Lua script and its SHA-1 (computed at first use, for EVALSHA).
 */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
}

/**
 * KEYS[1] session hash. ARGV: mode ('create' | 'merge' | 'replace'),
 * expiresAt (ms), n, then n field/value pairs to set, then fields to delete.
 * Returns 1, or 0 when a merge/replace target no longer exists. A merge
 * with no fields but `_a` is the idle refresh.
 */
export const SAVE: LuaScript = {
  name: 'save',
  source: `local key = KEYS[1]
local mode = ARGV[1]
if mode ~= 'create' and redis.call('EXISTS', key) == 0 then return 0 end
if mode ~= 'merge' then redis.call('DEL', key) end
local last = 3 + 2 * tonumber(ARGV[3])
for i = 4, last, 1000 do redis.call('HSET', key, unpack(ARGV, i, math.min(i + 999, last))) end
for i = last + 1, #ARGV, 1000 do redis.call('HDEL', key, unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('PEXPIREAT', key, ARGV[2])
return 1`,
};

/**
 * KEYS[1] session hash. ARGV: lastActiveAt (encoded, `j<ms>`), dueBy,
 * idleUntil, maxAge (ms), aliveSince. A load that slides the idle expiry
 * when due, in its one round trip: returns the hash as HGETALL does (empty
 * when absent) and, when its `_a` lies between aliveSince and dueBy (due,
 * and not already idle past its end), first sets `_a` and the expiry
 * to the earlier of idleUntil and the absolute end (the creation time is
 * the first 42 bits of the id, base64url, in `_id` as `j"<id>"`). A record
 * the kit did not write, or past its absolute end, is returned untouched:
 * the kit decides what it is.
 */
export const GET_TOUCH: LuaScript = {
  name: 'get-touch',
  source: `local all = redis.call('HGETALL', KEYS[1])
local a, id
for i = 1, #all, 2 do
  if all[i] == '_a' then a = i + 1 elseif all[i] == '_id' then id = all[i + 1] end
end
if a == nil or id == nil or #id ~= 15 then return all end
local last = tonumber(string.sub(all[a], 2))
if last == nil or last > tonumber(ARGV[2]) or last < tonumber(ARGV[5]) then return all end
local digits = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
local created = 0
for i = 3, 9 do
  local d = string.find(digits, string.sub(id, i, i), 1, true)
  if d == nil then return all end
  created = created * 64 + d - 1
end
local untilMs = math.min(tonumber(ARGV[3]), created + tonumber(ARGV[4]))
local now = tonumber(string.sub(ARGV[1], 2))
if now == nil or untilMs <= now then return all end
redis.call('HSET', KEYS[1], '_a', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', untilMs))
all[a] = ARGV[1]
return all`,
};

/**
 * KEYS[1] session hash. Removes every `f.<key>` field (pending flash
 * messages) and returns them as `j` + JSON `[field, value, …]`: exactly one
 * reader gets each message, however many requests race for it.
 */
export const TAKE_FLASH: LuaScript = {
  name: 'take-flash',
  source: `local all = redis.call('HGETALL', KEYS[1])
local out = {}
local fields = {}
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'f.' then
    out[#out + 1] = all[i]
    out[#out + 1] = all[i + 1]
    fields[#fields + 1] = all[i]
  end
end
if #fields == 0 then return 'j[]' end
for i = 1, #fields, 1000 do redis.call('HDEL', KEYS[1], unpack(fields, i, math.min(i + 999, #fields))) end
return 'j' .. cjson.encode(out)`,
};

/**
 * KEYS[1] per-user sorted set (member: session key hash, score: expiry ms).
 * ARGV: member, expiresAt, now, then members to drop (the sessions this
 * login deletes). Adds or refreshes the entry, drops those and expired
 * ones, keeps the index alive exactly as long as its longest session, and
 * returns how many entries it now holds: a login within
 * `maxSessionsPerUser` needs nothing more.
 */
export const INDEX_ADD: LuaScript = {
  name: 'index-add',
  source: `for i = 4, #ARGV, 1000 do redis.call('ZREM', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
local top = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if top[2] then redis.call('PEXPIREAT', KEYS[1], top[2]) end
return redis.call('ZCARD', KEYS[1])`,
};

/**
 * KEYS[1] per-user sorted set. ARGV: now. Drops expired entries and returns
 * the rest as `j` + JSON `[member, score, …]` (the `j` keeps Upstash's client
 * from re-parsing the reply).
 */
export const INDEX_LIST: LuaScript = {
  name: 'index-list',
  source: `redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
if #entries == 0 then return 'j[]' end
return 'j' .. cjson.encode(entries)`,
};

/**
 * KEYS[1] per-user sorted set. ARGV: members to remove.
 */
export const INDEX_REMOVE: LuaScript = {
  name: 'index-remove',
  source: `local removed = 0
for i = 1, #ARGV, 1000 do
  removed = removed + redis.call('ZREM', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
return removed`,
};

const shas = new Map<LuaScript, Promise<string>>();
const known = new Map<LuaScript, string>();

/**
 * The script's SHA-1 if already computed, so the hot path needs no await.
 */
export function knownSha(script: LuaScript): string | undefined {
  return known.get(script);
}

/**
 * The script's SHA-1 in hex, for EVALSHA; computed once per script.
 */
export function scriptSha(script: LuaScript): Promise<string> {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = crypto.subtle.digest('SHA-1', new TextEncoder().encode(script.source)).then((buffer) => {
      const hex = Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
      known.set(script, hex);
      return hex;
    });
    shas.set(script, sha);
  }
  return sha;
}
