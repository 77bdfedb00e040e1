import { defineOwn } from '../../own-property.ts';
import type { SessionChange, StoredSession } from '../store/adapter.ts';
import { decodeValue, decodeValueOr, encodeValue, UNDECODABLE } from '../store/record-codec.ts';

// Hash layout: `_id`, `_a` (lastActiveAt), `_u` (userId), `_v` (data
// version, when not 1), one `d.<key>` field per data key, so a save can
// merge single keys atomically, and one `f.<key>` field per pending flash
// message. Every value is encoded by record-codec.ts.
const DATA = 'd.';
const FLASH = 'f.';

/**
 * The SAVE script's ARGV for a new session: mode `create`, until, n, then n
 * field/value pairs.
 */
export function createArgs(session: StoredSession, until: number): string[] {
  return wholeArgs('create', session, until);
}

/**
 * The SAVE script's ARGV for a change: mode (`merge` or `replace`), until,
 * n, n field/value pairs, then the fields to delete. Identity fields never
 * change after creation, so merges send only `_a` and the changed keys.
 */
export function changeArgs(change: SessionChange): string[] {
  if (change.replace && change.session !== undefined) {
    return wholeArgs('replace', change.session, change.until, change.lastActiveAt);
  }
  const args = ['merge', String(change.until), '', '_a', encodeValue(change.lastActiveAt)];
  pushFields(args, DATA, change.set);
  pushFields(args, FLASH, change.flash);
  args[2] = String((args.length - 3) / 2);
  for (const name of change.unset) args.push(DATA + name);
  return args;
}

function wholeArgs(
  mode: 'create' | 'replace',
  session: StoredSession,
  until: number,
  lastActiveAt = session.lastActiveAt,
): string[] {
  const args = [mode, String(until), '', '_a', encodeValue(lastActiveAt)];
  args.push('_id', encodeValue(session.id));
  if (session.userId !== undefined) args.push('_u', encodeValue(session.userId));
  if (session.version !== undefined) args.push('_v', encodeValue(session.version));
  pushFields(args, DATA, session.data);
  if (session.flash !== undefined) pushFields(args, FLASH, session.flash);
  args[2] = String((args.length - 3) / 2);
  return args;
}

// for...in allocates no key list (this runs on every save); own keys only,
// so nothing enumerable on a prototype ever becomes a field.
function pushFields(args: string[], prefix: string, values: Readonly<Record<string, unknown>>): void {
  for (const name in values) {
    if (Object.hasOwn(values, name)) args.push(prefix + name, encodeValue(values[name]));
  }
}

/**
 * A stored hash as a session: `null` when there is none, `undefined` when a
 * field is not something the kit wrote. The kit checks the rest.
 */
export function parseHash(
  hash: Record<string, unknown> | null | undefined,
): StoredSession | null | undefined {
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
    if (value === UNDECODABLE) return undefined;
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
  // Same property order (and field kinds) as a state the engine creates, so
  // both share one shape. The creation time is not stored: the kit reads it
  // from the id, once, when it checks the session.
  const session = { id, data, createdAt: Number.NaN, lastActiveAt } as StoredSession;
  if (userId !== undefined) session.userId = userId as string;
  if (version !== undefined) session.version = version as number;
  if (flash !== undefined) session.flash = flash;
  return session;
}

/**
 * The TAKE_FLASH script's reply (`j` + JSON `[field, value, …]`) as messages.
 */
export function parseFlashReply(reply: unknown): Record<string, unknown> {
  const decoded = decodeValue(reply);
  const flash: Record<string, unknown> = {};
  if (decoded === undefined || !Array.isArray(decoded.value)) return flash;
  const flat = decoded.value as unknown[];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const value = decodeValue(flat[i + 1]);
    if (value !== undefined) assign(flash, String(flat[i]).slice(FLASH.length), value.value);
  }
  return flash;
}

// A stored "__proto__" key must stay plain data, never a prototype.
function assign(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineOwn(target, key, value);
  else target[key] = value;
}
