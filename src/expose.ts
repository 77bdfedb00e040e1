import { SessionConfigError } from './errors.ts';
import { isPlainObject } from './is-object.ts';
import { defineOwn } from './own-property.ts';
import { printable } from './printable.ts';
import type { SessionData } from './types.ts';

/**
 * What client components may receive: a plain object whose values are JSON
 * (strings, finite numbers, booleans, null, arrays and plain objects of
 * those). Checked at runtime when the snapshot is built.
 *
 * @example
 * ```ts
 * const shown: ClientSessionData = { user: 'ada', theme: 'dark' };
 * ```
 */
export type ClientSessionData = Record<string, unknown>;

/**
 * The kit option `expose`: which part of the session client components see.
 * Either a list of data keys, or a function that builds the object from the
 * session data. Nothing else of the session reaches the browser: not its id,
 * not the cookie value, not the store handle, not its timestamps.
 *
 * @example
 * ```ts
 * type Data = { user?: string; theme?: 'light' | 'dark'; cart?: string[] };
 * const byKeys: ExposeOption<Data, Partial<Data>> = ['user', 'theme'];
 * const byFunction: ExposeOption<Data, { signedIn: boolean }> = (data) => ({ signedIn: data.user !== undefined });
 * ```
 */
export type ExposeOption<Data extends SessionData, Client extends ClientSessionData> =
  | readonly (keyof Data & keyof Client & string)[]
  | ExposeFunction<Data, Client>;

// Method syntax keeps the parameter bivariant, so a kit typed for `Data`
// can hand its options to code that only knows `SessionData`.
type ExposeFunction<Data extends SessionData, Client extends ClientSessionData> = {
  expose(data: Readonly<Partial<Data>>): Client;
}['expose'];

/** @internal The validated `expose` option: session data in, client snapshot out. */
export type Exposer = (data: Readonly<SessionData>) => ClientSessionData;

const MAX_DEPTH = 32;
const MAX_KEYS = 256;

/**
 * Validates the `expose` option once, at creation. Without it, client
 * components get an empty object.
 */
export function resolveExpose(option: unknown): Exposer {
  if (option === undefined) return () => ({});
  if (typeof option === 'function') {
    const build = option as (data: Readonly<SessionData>) => unknown;
    return (data) => {
      const result = build(data);
      if (!isPlainObject(result)) {
        throw new SessionConfigError(
          `\`expose\` must return a plain object such as { user: data.user }; it returned ${kindOf(result)}.`,
        );
      }
      return toJson(result, 'expose()') as ClientSessionData;
    };
  }
  if (!Array.isArray(option)) {
    throw new SessionConfigError(
      "`expose` must be a list of session keys such as ['user', 'theme'], " +
        'or a function (data) => ({ ... }) returning what client components may see.',
    );
  }
  if (option.length > MAX_KEYS) {
    throw new SessionConfigError(`\`expose\` lists ${option.length} keys; at most ${MAX_KEYS} are allowed.`);
  }
  const keys = new Set<string>();
  for (const key of option) {
    if (typeof key !== 'string' || key.length === 0 || key.length > 256) {
      throw new SessionConfigError(
        "`expose` keys must be non-empty strings naming session data keys, e.g. ['user', 'theme'].",
      );
    }
    if (keys.has(key)) {
      throw new SessionConfigError(`\`expose\` lists "${printable(key)}" twice.`);
    }
    keys.add(key);
  }
  const list = [...keys];
  return (data) => {
    const picked: ClientSessionData = {};
    for (const key of list) {
      if (!Object.hasOwn(data, key) || data[key] === undefined) continue;
      defineOwn(picked, key, toJson(data[key], key));
    }
    return picked;
  };
}

// A deep copy holding JSON only. Refusing (rather than dropping) a Date, a
// Map or a class instance makes the mistake visible where it is made,
// instead of as a field that silently never shows up in the browser.
function toJson(value: unknown, path: string, depth = 0, seen = new Set<object>()): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
    throw notJson(path, 'a non-finite number');
  }
  if (typeof value !== 'object') throw notJson(path, kindOf(value));
  if (depth >= MAX_DEPTH) throw notJson(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (seen.has(value)) throw notJson(path, 'a circular reference');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((item, i) => {
        if (item === undefined) throw notJson(`${path}[${i}]`, 'undefined');
        return toJson(item, `${path}[${i}]`, depth + 1, seen);
      });
    }
    if (!isPlainObject(value)) throw notJson(path, kindOf(value));
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item === undefined) continue;
      defineOwn(copy, key, toJson(item, `${path}.${printable(key)}`, depth + 1, seen));
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

function notJson(path: string, what: string): SessionConfigError {
  // A bigint or NaN most often comes from a Python app sharing the session (aiohttp formats).
  const example =
    what === 'a bigint'
      ? 'expose: (data) => ({ userId: String(data.user_id) })'
      : what === 'a non-finite number'
        ? 'expose: (data) => ({ ratio: Number.isFinite(data.ratio) ? data.ratio : null })'
        : 'expose: (data) => ({ since: data.since?.toISOString() })';
  return new SessionConfigError(
    `\`expose\`: the value at ${path} is ${what}; client components get JSON only (strings, finite ` +
      `numbers, booleans, null, arrays and plain objects). Convert it with an expose function, e.g. ${example}.`,
  );
}

// Names the kind of value, never the value itself: it may be session data.
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
      ?.name;
    return typeof name === 'string' && name.length > 0 ? `a ${printable(name)}` : 'an object';
  }
  return `a ${typeof value}`;
}
