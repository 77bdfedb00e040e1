import { isRecord } from '../../is-object.ts';
import { defineOwn } from '../../own-property.ts';
import type { StoredSession, StoredSessionEntry } from '../store/adapter.ts';
import { decodeValueOr, encodeValue, UNDECODABLE } from '../store/record-codec.ts';

/**
 * Data (or flash messages) as the `jsonb` column holds them: one member per
 * key, its value the kit's encoding (`j` + JSON, see record-codec.ts). A
 * JSON string cannot trip `jsonb`, which refuses `\u0000` in its own
 * strings, and numbers keep their exact JavaScript value.
 *
 * @example
 * ```ts
 * encodeMembers({ count: 1 }); // '{"count":"j1"}'
 * ```
 */
export function encodeMembers(values: Readonly<Record<string, unknown>>): string {
  const encoded: Record<string, string> = {};
  for (const key of Object.keys(values)) {
    if (key === '__proto__') defineOwn(encoded, key, encodeValue(values[key]));
    else encoded[key] = encodeValue(values[key]);
  }
  return JSON.stringify(encoded);
}

/**
 * Reads what {@link encodeMembers} wrote (as `jsonb::text`): `undefined`
 * when it is not that.
 *
 * @example
 * ```ts
 * decodeMembers('{"count": "j1"}'); // { count: 1 }
 * ```
 */
export function decodeMembers(text: unknown): Record<string, unknown> | undefined {
  const members = parseRecord(text);
  if (members === undefined) return undefined;
  // In place: JSON.parse made every key an own data property ("__proto__"
  // too), and assigning to an own data property only changes its value.
  for (const key of Object.keys(members)) {
    const value = decodeValueOr(members[key]);
    if (value === UNDECODABLE) return undefined;
    members[key] = value;
  }
  return members;
}

/**
 * A row of the kit's `SELECT`s (aliases `i`, `u`, `v`, `a`, `d`, `f`, `m`) as a
 * stored session: `undefined` when the row is not one (the kit then reports
 * an invalid session). Numbers may come back as strings (`bigint`) or
 * numbers, as the driver is configured.
 *
 * @example
 * ```ts
 * const session = sessionOfRow(rows[0]);
 * ```
 */
export function sessionOfRow(row: Readonly<Record<string, unknown>>): StoredSession | undefined {
  const data = decodeMembers(row.d);
  if (data === undefined) return undefined;
  // The kit reads the creation time from the id (sessionStateOf()).
  const session: StoredSession = {
    id: row.i as string,
    data,
    createdAt: Number.NaN,
    lastActiveAt: wholeNumber(row.a),
  };
  if (row.u !== null && row.u !== undefined) session.userId = row.u as string;
  if (row.v !== null && row.v !== undefined) session.version = wholeNumber(row.v);
  if (row.f !== null && row.f !== undefined) {
    const flash = decodeMembers(row.f);
    if (flash === undefined) return undefined;
    session.flash = flash;
  }
  if (row.m !== null && row.m !== undefined) {
    // Checked with the rest of the session by the kit (sessionStateOf()).
    const meta = decodeMembers(row.m);
    if (meta === undefined) return undefined;
    const { l, t, g, p } = meta;
    if (l !== undefined) session.lifetime = l as StoredSession['lifetime'];
    if (t !== undefined) session.authenticatedAt = t as number;
    if (g !== undefined) session.userAgent = g as string;
    if (p !== undefined) session.ip = p as string;
  }
  return session;
}

// A number as the driver hands it over: a number, or (PostgreSQL's bigint)
// its decimal digits. Anything else is NaN, which the kit refuses: SQLite
// keeps text such as '0x10' or '' in an INTEGER column, and Number() would
// read those as 16 and 0.
function wholeNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^-?[0-9]{1,20}$/.test(value) ? Number(value) : Number.NaN;
}

/**
 * What a sign-in recorded with the session (its own lifetime, sign-in time,
 * device), for the `meta` column: written once with the session, never
 * merged; `null` when there is none.
 *
 * @example
 * ```ts
 * encodeMeta({ id, data: {}, createdAt, lastActiveAt, authenticatedAt: createdAt }); // '{"t":"j…"}'
 * ```
 */
export function encodeMeta(session: StoredSession): string | null {
  const meta: Record<string, unknown> = {};
  if (session.lifetime !== undefined) meta.l = session.lifetime;
  if (session.authenticatedAt !== undefined) meta.t = session.authenticatedAt;
  if (session.userAgent !== undefined) meta.g = session.userAgent;
  if (session.ip !== undefined) meta.p = session.ip;
  return Object.keys(meta).length === 0 ? null : encodeMembers(meta);
}

/**
 * Applies a save to members as {@link encodeMembers} wrote them, without
 * decoding a value: deletes `unset`, then writes `set` (already encoded, as
 * `encodeMembers(set)`). `undefined` when `text` is not an object of members.
 *
 * @example
 * ```ts
 * mergeMembers('{"a":"j1","b":"j2"}', ['b'], '{"c":"j3"}'); // '{"a":"j1","c":"j3"}'
 * ```
 */
export function mergeMembers(text: unknown, unset: readonly string[], set: string): string | undefined {
  const members = parseRecord(text);
  if (members === undefined) return undefined;
  for (const key of unset) delete members[key];
  const added = JSON.parse(set) as Record<string, unknown>;
  for (const key of Object.keys(added)) defineOwn(members, key, added[key]);
  return JSON.stringify(members);
}

/**
 * The columns a new or replaced session writes whole, in this order: `id`,
 * `user_id`, `version`, `data`, `flash`, `meta`. Both SQL stores bind them
 * as one run of parameters.
 *
 * @example
 * ```ts
 * insert.run(key, ...rowValues(session), session.lastActiveAt, write.until);
 * ```
 */
export function rowValues(
  session: StoredSession,
): [string, string | null, number | null, string, string | null, string | null] {
  return [
    session.id,
    session.userId ?? null,
    session.version ?? null,
    encodeMembers(session.data),
    session.flash === undefined ? null : encodeMembers(session.flash),
    encodeMeta(session),
  ];
}

/**
 * The rows of a user's listing (aliases of `sessionOfRow()` plus `k`, the
 * key) as entries; a row that is not a session is left out.
 *
 * @example
 * ```ts
 * const entries = sessionEntries(rows);
 * ```
 */
export function sessionEntries(rows: Iterable<Readonly<Record<string, unknown>>>): StoredSessionEntry[] {
  const found: StoredSessionEntry[] = [];
  for (const row of rows) {
    const session = sessionOfRow(row);
    if (session !== undefined) found.push({ key: row.k as string, session });
  }
  return found;
}

/** `text` parsed as a JSON object; `undefined` for anything else (a row's column is untrusted). */
function parseRecord(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isRecord(parsed) ? parsed : undefined;
}
