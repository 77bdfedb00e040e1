// Generators of hostile client input for the fuzz suites in src/fuzz/. Most
// of them start from a valid value and damage it, so that decoders get past
// their first checks and the deep paths (crypto, JSON, shape checks) run.
import fc from 'fast-check';
import { base64urlEncodeText } from '../codec/base64url.ts';
import { protectedHeaderSegment } from '../codec/header.ts';
import type { CookieJar, CookieWriteOptions } from '../types.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// Near misses of the base64url alphabet and JSON/cookie syntax, plus code
// units that break naive UTF-16 handling (lone surrogates, BOM, NUL).
const AWKWARD_UNITS = [
  ...'Aaz09-_.=+/%\\ \t\n\r"\';,:{}[]é€',
  '\u0000',
  '\u007f',
  '\u0080',
  '\u00ff',
  '\u0100',
  '\u2028',
  '\uD800',
  '\uDC00',
  '\uFEFF',
  '\uFF0E',
  '😀',
];

// Any Unicode scalar value. fast-check's own `unit: 'binary'` costs about two
// seconds to set up, per test file.
const codePoint = fc
  .integer({ min: 0, max: 0x10ffff - 0x800 })
  .map((code) => String.fromCodePoint(code < 0xd800 ? code : code + 0x800));

/** Strings of any Unicode scalar values (well-formed UTF-16). */
export function codePointString(maxLength = 48): fc.Arbitrary<string> {
  return fc.string({ unit: codePoint, maxLength });
}

/** Strings of every kind: ASCII, any code point, any UTF-16 code unit (lone surrogates), and near misses. */
export function hostileString(maxLength = 48): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength }),
    codePointString(maxLength),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength }),
    fc.string({ unit: fc.constantFrom(...AWKWARD_UNITS), maxLength }),
    fc.string({ unit: fc.constantFrom(...B64URL), maxLength: maxLength * 4 }),
  );
}

const MAX_EDITED_LENGTH = 1 << 18;

/** One damaging edit of a string; positions are taken modulo the length when applied. */
export type Edit =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'replace'; at: number; text: string }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'pad'; padding: string }
  | { kind: 'repeat'; times: number };

/** Edits as an attacker makes them: bit flips, truncation, insertions, padding, huge repetition. */
export function edit(): fc.Arbitrary<Edit> {
  const at = fc.nat();
  const text = fc.string({ unit: fc.constantFrom(...AWKWARD_UNITS, ...B64URL), minLength: 1, maxLength: 8 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at, bit: fc.nat(5) }) },
    fc.record({ kind: fc.constant('replace' as const), at, text }),
    fc.record({ kind: fc.constant('insert' as const), at, text }),
    fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at }),
    fc.record({ kind: fc.constant('pad' as const), padding: fc.constantFrom('=', '==', '===', '.', '%3D') }),
    fc.record({ kind: fc.constant('repeat' as const), times: fc.integer({ min: 2, max: 300 }) }),
  );
}

/**
 * Applies an edit. A flip changes one bit of a base64url character's value
 * (so the result usually stays well-formed and reaches the decryption), or
 * of the code unit for any other character.
 */
export function applyEdit(text: string, change: Edit): string {
  const length = text.length;
  const pos = (at: number, span = length) => (span === 0 ? 0 : at % span);
  switch (change.kind) {
    case 'flip': {
      if (length === 0) return B64URL[1 << change.bit] ?? 'A';
      const i = pos(change.at);
      const index = B64URL.indexOf(text.charAt(i));
      const flipped =
        index >= 0
          ? B64URL.charAt(index ^ (1 << change.bit))
          : String.fromCharCode(text.charCodeAt(i) ^ (1 << change.bit));
      return text.slice(0, i) + flipped + text.slice(i + 1);
    }
    case 'replace': {
      const i = pos(change.at);
      return text.slice(0, i) + change.text + text.slice(i + change.text.length);
    }
    case 'insert': {
      const i = pos(change.at, length + 1);
      return text.slice(0, i) + change.text + text.slice(i);
    }
    case 'delete': {
      const i = pos(change.at);
      return text.slice(0, i) + text.slice(i + change.length);
    }
    case 'truncate':
      return text.slice(0, pos(change.at));
    case 'pad':
      return text + change.padding;
    case 'repeat':
      // Huge, but bounded: repeated edits must not multiply into gigabytes.
      return text.repeat(Math.min(change.times, Math.ceil(MAX_EDITED_LENGTH / Math.max(1, length))));
  }
}

/** One to three edits in a row. */
export function edits(): fc.Arbitrary<Edit[]> {
  return fc.array(edit(), { minLength: 1, maxLength: 3 });
}

export function applyEdits(text: string, changes: readonly Edit[]): string {
  return changes.reduce(applyEdit, text);
}

/** A cookie as a browser sends it. */
export interface Cookie {
  name: string;
  value: string;
}

/**
 * A damaging change to a whole cookie jar: chunks dropped, duplicated,
 * swapped, renamed, emptied, taken from another session, or an edited value.
 */
export type JarEdit =
  | { kind: 'drop'; at: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; at: number; index: number }
  | { kind: 'rename'; at: number; name: string }
  | { kind: 'empty'; at: number }
  | { kind: 'value'; at: number; edits: Edit[] }
  | { kind: 'transplant'; at: number; from: number }
  | { kind: 'add'; cookie: Cookie }
  | { kind: 'reverse' };

/**
 * Jar edits for a session cookie called `name`. `add` brings stray cookies
 * whose names look like (or nearly like) the session's own.
 */
export function jarEdit(name: string): fc.Arbitrary<JarEdit> {
  const at = fc.nat();
  const lookalike = fc.oneof(
    fc.constantFrom(
      name,
      `${name}.0`,
      `${name}.1`,
      `${name}.3`,
      `${name}.4`,
      `${name}.15`,
      `${name}.16`,
      `${name}.99`,
      `${name}.999`,
      `${name}.1000`,
      `${name}.01`,
      `${name}.-1`,
      `${name}.1e1`,
      `${name}.0x1`,
      `${name}. 1`,
      `${name}..1`,
      `${name}.`,
      `${name}x`,
      `${name}.__proto__`,
      '__proto__',
      'constructor',
    ),
    fc.nat(20).map((i) => `${name}.${i}`),
  );
  return fc.oneof(
    fc.record({ kind: fc.constant('drop' as const), at }),
    fc.record({ kind: fc.constant('swap' as const), a: at, b: at }),
    fc.record({ kind: fc.constant('duplicate' as const), at, index: fc.nat(20) }),
    fc.record({ kind: fc.constant('rename' as const), at, name: lookalike }),
    fc.record({ kind: fc.constant('empty' as const), at }),
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('value' as const), at, edits: edits() }) },
    fc.record({ kind: fc.constant('transplant' as const), at, from: at }),
    fc.record({
      kind: fc.constant('add' as const),
      cookie: fc.record({ name: lookalike, value: hostileString() }),
    }),
    fc.record({ kind: fc.constant('reverse' as const) }),
  );
}

/**
 * Applies jar edits to `jar` (a list, so duplicate names survive).
 * `donors` supplies cookies of other valid sessions for `transplant`.
 */
export function applyJarEdits(
  jar: readonly Cookie[],
  changes: readonly JarEdit[],
  donors: readonly (readonly Cookie[])[],
): Cookie[] {
  let cookies = jar.map((c) => ({ ...c }));
  const pick = (at: number) => (cookies.length === 0 ? -1 : at % cookies.length);
  for (const change of changes) {
    switch (change.kind) {
      case 'drop': {
        const i = pick(change.at);
        if (i >= 0) cookies.splice(i, 1);
        break;
      }
      case 'swap': {
        const a = pick(change.a);
        const b = pick(change.b);
        const first = cookies[a];
        const second = cookies[b];
        if (first && second) [first.value, second.value] = [second.value, first.value];
        break;
      }
      case 'duplicate': {
        const source = cookies[pick(change.at)];
        const base = source?.name.replace(/\.\d+$/, '') ?? 'session';
        if (source) cookies.push({ name: `${base}.${change.index}`, value: source.value });
        break;
      }
      case 'rename': {
        const target = cookies[pick(change.at)];
        if (target) target.name = change.name;
        break;
      }
      case 'empty': {
        const target = cookies[pick(change.at)];
        if (target) target.value = '';
        break;
      }
      case 'value': {
        const target = cookies[pick(change.at)];
        if (target) target.value = applyEdits(target.value, change.edits);
        break;
      }
      case 'transplant': {
        const donor = donors.length === 0 ? undefined : donors[change.from % donors.length];
        const target = cookies[pick(change.at)];
        const match = donor?.find((c) => c.name === target?.name) ?? donor?.[0];
        if (target && match) target.value = match.value;
        break;
      }
      case 'add':
        cookies.push({ ...change.cookie });
        break;
      case 'reverse':
        cookies = cookies.reverse();
        break;
    }
  }
  return cookies;
}

/**
 * A read-only request jar over a list of cookies, as a hostile Cookie header
 * may produce it (the same name twice, any order). `get` returns the first
 * match; writes are recorded, not applied.
 */
export function listJar(cookies: readonly Cookie[]): CookieJar & {
  writes: Array<{ name: string; value: string; options: CookieWriteOptions }>;
} {
  const writes: Array<{ name: string; value: string; options: CookieWriteOptions }> = [];
  return {
    writes,
    get: (name) => cookies.find((c) => c.name === name),
    getAll: () => cookies.map((c) => ({ ...c })),
    set: (name, value, options) => {
      writes.push({ name, value, options });
    },
  };
}

/** JSON values that try to reach prototypes: `__proto__`, `constructor` and `prototype` keys, nested. */
export function pollutingJson(): fc.Arbitrary<unknown> {
  const key = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'toString'),
    },
    fc.string({ maxLength: 6 }),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.jsonValue({ maxDepth: 1 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      fc.array(tie('value'), { maxLength: 3 }),
    ),
  }));
  return value;
}

/**
 * JWE protected headers near the accepted one: right and wrong alg/enc, kid
 * of every type, zip/crit, and keys that try to reach prototypes.
 */
export const jweHeaderFields: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        alg: fc.constantFrom('dir', 'DIR', 'A256KW', 'none', 1, null, ['dir']),
        enc: fc.constantFrom('A256GCM', 'A128GCM', 'a256gcm', '', null),
        kid: fc.oneof(
          hostileString(8),
          fc.constantFrom('__proto__', 'constructor', 'toString'),
          fc.integer(),
          fc.constant(null),
        ),
        zip: fc.constantFrom('DEF', null, ''),
        crit: fc.constantFrom(['exp'], [], null),
        typ: fc.constantFrom('JWT', 'JOSE'),
        constructor: pollutingJson(),
      },
      { requiredKeys: [] },
    ),
    fc.boolean(),
  )
  .map(([fields, withProto]) => {
    const header: Record<string, unknown> = { ...fields };
    // An own "__proto__" key, as JSON.parse would produce it from the wire.
    if (withProto) {
      Object.defineProperty(header, '__proto__', {
        value: { alg: 'dir', enc: 'A256GCM', kid: 'proto' },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return header;
  });

/** A change to a compact JWE: edits to the whole token or one segment, or segments, kid or header swapped. */
export type TokenChange =
  | { kind: 'whole'; edits: Edit[] }
  | { kind: 'segment'; index: number; edits: Edit[] }
  | { kind: 'transplant'; index: number; donor: number }
  | { kind: 'kid'; kid: string }
  | { kind: 'header'; fields: Record<string, unknown> }
  | { kind: 'count'; index: number; duplicate: boolean }
  | { kind: 'bytes'; index: number; at: number; bit: number; truncate: boolean }
  | { kind: 'swap-kid'; kid: number };

/** Token changes, weighted so that a good share still reaches AES-GCM. */
export const tokenChange: fc.Arbitrary<TokenChange> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('whole' as const), edits: edits() }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('segment' as const), index: fc.nat(4), edits: edits() }),
  },
  fc.record({ kind: fc.constant('transplant' as const), index: fc.nat(4), donor: fc.nat() }),
  fc.record({
    kind: fc.constant('kid' as const),
    kid: fc.oneof(hostileString(8), fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '')),
  }),
  fc.record({
    kind: fc.constant('header' as const),
    fields: jweHeaderFields,
  }),
  fc.record({ kind: fc.constant('count' as const), index: fc.nat(4), duplicate: fc.boolean() }),
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('bytes' as const),
      index: fc.nat(4),
      at: fc.nat(),
      bit: fc.nat(7),
      truncate: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap-kid' as const), kid: fc.nat() }) },
);

/**
 * Applies token changes; `donors` supplies segments of other tokens, `kids`
 * the key ids whose exact headers a `swap-kid` puts in.
 */
export function applyTokenChanges(
  token: string,
  changes: readonly TokenChange[],
  donors: readonly string[],
  kids: readonly string[],
): string {
  let current = token;
  for (const change of changes) {
    const segments = current.split('.');
    switch (change.kind) {
      case 'whole':
        current = applyEdits(current, change.edits);
        continue;
      case 'segment': {
        const i = change.index % Math.max(1, segments.length);
        segments[i] = applyEdits(segments[i] ?? '', change.edits);
        break;
      }
      case 'transplant': {
        const donor = (donors[change.donor % donors.length] ?? '').split('.');
        segments[change.index] = donor[change.index] ?? '';
        break;
      }
      case 'kid':
        segments[0] = base64urlEncodeText(JSON.stringify({ alg: 'dir', enc: 'A256GCM', kid: change.kid }));
        break;
      case 'header':
        segments[0] = base64urlEncodeText(JSON.stringify(change.fields));
        break;
      case 'count':
        if (change.duplicate) segments.splice(change.index, 0, segments[change.index] ?? '');
        else segments.splice(change.index, 1);
        break;
      case 'bytes': {
        // Damage the bytes, not the text, so the segment stays canonical
        // base64url and the token reaches AES-GCM.
        const bytes = Buffer.from(segments[change.index] ?? '', 'base64url');
        const at = bytes.length === 0 ? 0 : change.at % bytes.length;
        const damaged = change.truncate ? bytes.subarray(0, at) : bytes;
        if (!change.truncate && bytes.length > 0) damaged[at] = (damaged[at] ?? 0) ^ (1 << change.bit);
        segments[change.index] = damaged.toString('base64url');
        break;
      }
      case 'swap-kid':
        segments[0] = protectedHeaderSegment(kids[change.kid % kids.length] ?? '');
        break;
    }
    current = segments.join('.');
  }
  return current;
}
