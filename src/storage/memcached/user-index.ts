import { SessionStoreError } from '../../errors.ts';
import type { MemcachedOps } from './protocol.ts';

/**
 * A login's line to add to its user's index: `member` (the session's key)
 * expires at `expiresAt`; the sessions in `drop` (those the login replaces)
 * leave the index.
 */
export interface IndexAdd {
  key: string;
  member: string;
  expiresAt: number;
  now: number;
  /** The user the index belongs to (only their records count as live). */
  userId: string;
  drop: readonly string[];
}

/**
 * One line of an index.
 */
export interface IndexEntry {
  member: string;
  expiresAt: number;
}

/**
 * What the user index needs besides memcached itself: which of some
 * members' sessions still exist (for this user), and memcached's `exptime`
 * for an absolute expiry.
 */
export interface IndexEnv {
  ops: MemcachedOps;
  /** For each member, whether its session record is still there (and the user's). */
  alive(members: readonly string[], index: IndexAdd): Promise<boolean[]>;
  /** memcached `exptime` for an absolute expiry in Unix ms. */
  expiry(expiresAt: number): number;
}

// A login checks this many other sessions of the index (chosen at random)
// and drops those that ended: with at most one session ending per login,
// dead lines then stay near 1/SAMPLE of the index. One pipelined round trip.
const SAMPLE = 16;
// Conditional rewrites of the index before a login falls back to a plain
// append (which never conflicts; the lines it leaves are dropped later).
const ATTEMPTS = 4;
// Sessions checked at once when the index has reached memcached's item size.
const BATCH = 256;

/**
 * The index, one line per session: `<member> <absolute expiry in ms>`. A
 * repeated member keeps its last line; malformed lines are skipped.
 */
export function parseIndex(text: string): Map<string, number> {
  const entries = new Map<string, number>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const expiresAt = Number(line.slice(space + 1));
    if (Number.isSafeInteger(expiresAt)) entries.set(line.slice(0, space), expiresAt);
  }
  return entries;
}

/**
 * Writes entries back in {@link parseIndex}'s format.
 */
export function formatIndex(entries: Iterable<readonly [string, number]>): string {
  let text = '';
  for (const [member, expiresAt] of entries) text += `${member} ${expiresAt}\n`;
  return text;
}

const byteLength = (text: string): number => new TextEncoder().encode(text).length;
function newest(expiries: Iterable<number>): number {
  let max = 0;
  for (const at of expiries) if (at > max) max = at;
  return max;
}

/**
 * Adds a new session to its user's index and keeps the index small: lines
 * of expired sessions, of sessions this login replaces, and of sessions
 * found ended (a random sample of the others is checked each time) are
 * dropped, with a compare-and-set rewrite so that a concurrent login's line
 * is never lost. A rewrite is never larger than the value it replaces (a
 * too-large write would make memcached drop the whole item); growth goes
 * through `append`, which leaves the item as it was when it does not fit.
 * When the index has reached memcached's item size, every listed session is
 * checked and only live ones are kept; if those alone do not fit, the login
 * fails with a {@link SessionStoreError} that says so.
 *
 * Resolves to the index as written when that is known exactly (a
 * compare-and-set rewrite), `undefined` after an append.
 */
export async function addToIndex(env: IndexEnv, index: IndexAdd): Promise<IndexEntry[] | undefined> {
  const { ops } = env;
  const line = formatIndex([[index.member, index.expiresAt]]);
  // Members known to have ended, and known to live, across attempts.
  const dead = new Set(index.drop);
  const live = new Set<string>();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await ops.get(index.key);
    if (current === null) {
      const added = await ops.store('add', index.key, line, env.expiry(index.expiresAt));
      if (added.status === 'stored') return [{ member: index.member, expiresAt: index.expiresAt }];
      continue; // created meanwhile by a concurrent login
    }
    const text = new TextDecoder().decode(current.value);
    const kept = keptEntries(parseIndex(text), index, dead);
    if (attempt === 0) await check(env, index, sample([...kept.keys()], SAMPLE), dead, live);
    for (const member of dead) kept.delete(member);
    const full = new Map(kept).set(index.member, index.expiresAt);
    const rewrite = formatIndex(full);
    if (byteLength(rewrite) <= current.value.length) {
      const put = await ops.store('set', index.key, rewrite, env.expiry(newest(full.values())), current.cas);
      if (put.status === 'stored') return toEntries(full);
      if (put.status === 'missing' || put.status === 'exists') continue;
      throw new Error(`memcached refused a rewrite of the user index (${put.status}).`);
    }
    // Nothing (or too little) to drop: append, which cannot lose a line.
    return appendLine(env, index, line);
  }
  return appendLine(env, index, line);
}

/**
 * Removes members from an index (sessions that ended), with a
 * compare-and-set rewrite that never loses a concurrent login's line. Gives
 * up quietly after a few conflicts: a line left behind names a session that
 * ended, which every reader skips and a later login drops.
 */
export async function removeFromIndex(
  ops: MemcachedOps,
  indexKey: string,
  members: readonly string[],
  expiry: (expiresAt: number) => number,
): Promise<void> {
  if (members.length === 0) return;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await ops.get(indexKey);
    if (current === null) return;
    const entries = parseIndex(new TextDecoder().decode(current.value));
    let removed = false;
    for (const member of members) removed = entries.delete(member) || removed;
    if (!removed) return;
    const done =
      entries.size === 0
        ? await ops.remove(indexKey, current.cas)
        : (
            await ops.store(
              'set',
              indexKey,
              formatIndex(entries),
              expiry(newest(entries.values())),
              current.cas,
            )
          ).status === 'stored';
    if (done) return;
  }
}

/**
 * Live-looking entries of an index: not yet expired at `at`.
 */
export async function listIndex(ops: MemcachedOps, indexKey: string, at: number): Promise<IndexEntry[]> {
  const current = await ops.get(indexKey);
  if (current === null) return [];
  const entries = parseIndex(new TextDecoder().decode(current.value));
  return toEntries(entries).filter((entry) => entry.expiresAt >= at);
}

// Other members still in the running: not expired, not replaced, not known dead.
function keptEntries(entries: Map<string, number>, index: IndexAdd, dead: Set<string>): Map<string, number> {
  entries.delete(index.member);
  for (const [member, expiresAt] of entries) {
    if (expiresAt < index.now || dead.has(member)) entries.delete(member);
  }
  return entries;
}

async function check(
  env: IndexEnv,
  index: IndexAdd,
  members: readonly string[],
  dead: Set<string>,
  live: Set<string>,
): Promise<void> {
  const unknown = members.filter((member) => !live.has(member) && !dead.has(member));
  if (unknown.length === 0) return;
  const alive = await env.alive(unknown, index);
  unknown.forEach((member, i) => {
    if (alive[i] === true) live.add(member);
    else dead.add(member);
  });
}

function sample<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  // Partial Fisher-Yates: the first n items end up a uniform sample.
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(Math.random() * (items.length - i));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items.slice(0, n);
}

const toEntries = (entries: Map<string, number>): IndexEntry[] =>
  [...entries].map(([member, expiresAt]) => ({ member, expiresAt }));

async function appendLine(env: IndexEnv, index: IndexAdd, line: string): Promise<undefined> {
  const { ops } = env;
  const expires = env.expiry(index.expiresAt);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    // Entries carry absolute expiries and a new login's is the newest, so it
    // bounds the index; the order of the two does not matter.
    const [appended] = await Promise.all([ops.append(index.key, line), ops.touch(index.key, expires)]);
    if (appended === 'stored') return undefined;
    // memcached answers "not stored" both for a missing key and for an
    // append that would pass its item size: look which one it was.
    const current = await ops.get(index.key);
    if (current === null) {
      if ((await ops.store('add', index.key, line, expires)).status === 'stored') return undefined;
    } else {
      await compactFully(env, index);
    }
  }
  throw new SessionStoreError(
    'memcached kept changing the user index while a login added itself to it; try again.',
  );
}

// The index has reached memcached's item size: check every listed session
// and keep only those that still live. What remains is smaller than what
// was there, so the rewrite cannot fail for size; when nothing can go, the
// user's live sessions alone fill the item.
async function compactFully(env: IndexEnv, index: IndexAdd): Promise<void> {
  const { ops } = env;
  const dead = new Set(index.drop);
  const live = new Set<string>();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const current = await ops.get(index.key);
    if (current === null) return;
    const kept = keptEntries(parseIndex(new TextDecoder().decode(current.value)), index, dead);
    const members = [...kept.keys()];
    for (let i = 0; i < members.length; i += BATCH) {
      await check(env, index, members.slice(i, i + BATCH), dead, live);
    }
    for (const member of dead) kept.delete(member);
    const rewrite = formatIndex(kept);
    if (byteLength(rewrite) >= current.value.length) throw tooManySessions(kept.size);
    const put = await ops.store('set', index.key, rewrite, env.expiry(newest(kept.values())), current.cas);
    if (put.status === 'stored' || put.status === 'missing') return;
    if (put.status === 'too-large') throw tooManySessions(kept.size);
  }
}

function tooManySessions(live: number): SessionStoreError {
  return new SessionStoreError(
    `This user already has ${live} live sessions, and their index no longer fits in one memcached item ` +
      '(its item size limit: 1 MB unless memcached was started with -I). The new session was not created. ' +
      'Set `maxSessionsPerUser` (e.g. 100) so that a login ends the oldest sessions, or end some with ' +
      'destroyUserSessions().',
  );
}
