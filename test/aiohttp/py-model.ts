// Python values as data the tests can pass around (see json_worker.py), what
// the kit must read each one as in JavaScript, generators of them, and the
// edits a Next.js app makes to them.
import fc from 'fast-check';
import { defineOwn } from '../../src/own-property.ts';
import { codePointString, hostileString } from '../../src/test-utils/hostile.ts';

/** A Python value with its type: what json_worker.py builds and describes. */
export type PyModel =
  | readonly ['int', string]
  | readonly ['float', string]
  | readonly ['str', string]
  | readonly ['bool', boolean]
  | readonly ['null']
  | readonly ['list', readonly PyModel[]]
  | readonly ['dict', readonly (readonly [string, PyModel])[]];

export type PyDict = Extract<PyModel, readonly ['dict', unknown]>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The JavaScript value the kit documents for a Python value. */
export function jsOf(model: PyModel): unknown {
  switch (model[0]) {
    case 'int': {
      const big = BigInt(model[1]);
      return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
    }
    case 'float':
      return floatOf(model[1]);
    case 'str':
    case 'bool':
      return model[1];
    case 'null':
      return null;
    case 'list':
      return model[1].map(jsOf);
    case 'dict': {
      const object: Record<string, unknown> = {};
      for (const [key, item] of model[1]) defineOwn(object, key, jsOf(item));
      return object;
    }
  }
}

function floatOf(text: string | undefined): number {
  if (text === 'nan') return Number.NaN;
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(text ?? Number.NaN);
}

/**
 * A JavaScript value spelled out with its exact type, for comparisons that
 * tell 0 from -0, 1 from 1n and NaN from null.
 */
export function typed(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? ['number', '-0'] : ['number', String(value)];
  if (typeof value === 'bigint') return ['bigint', String(value)];
  if (Array.isArray(value)) return ['array', value.map(typed)];
  if (typeof value === 'object' && value !== null) {
    return ['object', Object.keys(value).map((key) => [key, typed((value as Record<string, unknown>)[key])])];
  }
  return [typeof value, value];
}

const floatText = (value: number): string =>
  Number.isNaN(value)
    ? 'nan'
    : value === Number.POSITIVE_INFINITY
      ? 'inf'
      : value === Number.NEGATIVE_INFINITY
        ? '-inf'
        : Object.is(value, -0)
          ? '-0.0'
          : String(value);

const intModel = fc
  .oneof(
    fc.integer().map(BigInt),
    fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
    fc.constantFrom(
      0n,
      -1n,
      2n ** 53n - 1n,
      2n ** 53n,
      -(2n ** 53n),
      1234567890123456789n,
      10n ** 16n,
      2n ** 64n,
      -(10n ** 30n),
    ),
  )
  .map((n): PyModel => ['int', String(n)]);

const floatModel = fc
  .oneof(
    fc.double(),
    // Whole-number floats are the ones JavaScript cannot tell from ints.
    fc.integer({ min: -1e6, max: 1e6 }),
    fc.constantFrom(0, -0, 1, -1, 1e15, 1e16, 1e21, 1e22, 1e-4, 1e-5, 1e-7, 2 ** 53, 1e300, 5e-324, 0.1),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  )
  .map((n): PyModel => ['float', floatText(n)]);

const keyArb = fc.oneof(
  { weight: 4, arbitrary: hostileString(12) },
  fc.nat(20).map(String),
  fc.constantFrom('__proto__', 'constructor', 'toString', '', '4294967294', '4294967295', '-1', '01'),
);

/** Any value Python's json.dumps writes for a session (ints of any size, floats incl. NaN/-0.0/inf). */
export function pyModel(maxDepth = 3): fc.Arbitrary<PyModel> {
  const leaf = fc.oneof(
    intModel,
    { weight: 2, arbitrary: floatModel },
    hostileString(16).map((s): PyModel => ['str', s]),
    fc
      .string({ unit: fc.constantFrom(...'/"\\ab\n\t\u0000\u001f\u007fé€😀\ud800\udfff'), maxLength: 8 })
      .map((s): PyModel => ['str', s]),
    fc.boolean().map((b): PyModel => ['bool', b]),
    fc.constant<PyModel>(['null']),
  );
  const { value } = fc.letrec<{ value: PyModel }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth },
      { weight: 3, arbitrary: leaf },
      fc.array(tie('value'), { maxLength: 5 }).map((items): PyModel => ['list', items]),
      dictOf(keyArb, tie('value')),
    ),
  }));
  return value;
}

function dictOf(
  keys: fc.Arbitrary<string>,
  values: fc.Arbitrary<PyModel>,
  minLength = 0,
): fc.Arbitrary<PyModel> {
  return fc
    .uniqueArray(fc.tuple(keys, values), { selector: ([key]) => key, minLength, maxLength: 6 })
    .map((members): PyModel => ['dict', members]);
}

/** A session: a dict of any values (aiohttp-session writes an empty one as `{}`). */
export function pySession(): fc.Arbitrary<PyDict> {
  return dictOf(keyArb, pyModel(), 1) as fc.Arbitrary<PyDict>;
}

// Keys JavaScript enumerates in numeric order, before all others.
const INTEGER_LIKE = /^(?:0|[1-9][0-9]*)$/;
const isIntegerLike = (key: string) => INTEGER_LIKE.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * Values a Next.js app can set whose Python type the kit's rules settle
 * alone: no whole-number float below 2^53 (JavaScript writes it as an int),
 * and no integer-like dict keys (JavaScript lists them first).
 */
export function plainModel(): fc.Arbitrary<PyModel> {
  const plainFloat = floatModel.filter((m) => {
    const n = floatOf(m[0] === 'float' ? m[1] : undefined);
    return !Number.isSafeInteger(n) || Object.is(n, -0);
  });
  const leaf = fc.oneof(
    intModel,
    plainFloat,
    codePointString(12).map((s): PyModel => ['str', s]),
    fc.boolean().map((b): PyModel => ['bool', b]),
  );
  const { value } = fc.letrec<{ value: PyModel }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 2 },
      { weight: 3, arbitrary: leaf },
      fc.array(tie('value'), { maxLength: 3 }).map((items): PyModel => ['list', items]),
      dictOf(
        keyArb.filter((k) => !isIntegerLike(k)),
        tie('value'),
      ),
    ),
  }));
  return value;
}

/** One change a Next.js app makes, at a list or dict somewhere in the session. */
export type Change =
  | { op: 'set'; path: readonly (string | number)[]; key: string | number; value: PyModel }
  | { op: 'delete'; path: readonly (string | number)[]; key: string };

/** The places (dicts and lists) a change can be made at, with what fits there. */
function containers(model: PyModel, path: (string | number)[] = []): [(string | number)[], PyModel][] {
  const here: [(string | number)[], PyModel][] = [[path, model]];
  if (model[0] === 'list') {
    for (const [i, item] of model[1].entries()) here.push(...containers(item, [...path, i]));
  }
  if (model[0] === 'dict') for (const [key, item] of model[1]) here.push(...containers(item, [...path, key]));
  return here.filter(([, m]) => m[0] === 'list' || m[0] === 'dict');
}

/** A session and one change to it: a top-level key, or a value nested inside one. */
export function sessionAndChange(): fc.Arbitrary<{ session: PyDict; change: Change }> {
  return pySession().chain((session) =>
    fc
      .constantFrom(...containers(session))
      .chain(([path, container]): fc.Arbitrary<Change> => {
        const value = plainModel();
        if (container[0] === 'list') {
          const key = fc.nat(container[1].length);
          return fc.record({ op: fc.constant('set' as const), path: fc.constant(path), key, value });
        }
        const members = container[0] === 'dict' ? container[1] : [];
        const existing = members.length > 0 ? fc.constantFrom(...members.map(([k]) => k)) : keyArb;
        const key = fc.oneof(existing, keyArb);
        const setKey = fc.record({ op: fc.constant('set' as const), path: fc.constant(path), key, value });
        const remove = fc.record({
          op: fc.constant('delete' as const),
          path: fc.constant(path),
          key: existing,
        });
        return fc.oneof({ weight: 3, arbitrary: setKey }, remove);
      })
      .map((change) => ({ session, change })),
  );
}

/** The change made to a model: what Python would hold had it made the change itself. */
export function changeModel(model: PyModel, change: Change, depth = 0): PyModel {
  if (depth < change.path.length) {
    const step = change.path[depth];
    if (model[0] === 'list') {
      return ['list', model[1].map((item, i) => (i === step ? changeModel(item, change, depth + 1) : item))];
    }
    if (model[0] === 'dict') {
      return [
        'dict',
        model[1].map(([k, item]) => [k, k === step ? changeModel(item, change, depth + 1) : item] as const),
      ];
    }
    return model;
  }
  if (model[0] === 'list') {
    if (change.op !== 'set') return model;
    const items = [...model[1]];
    items[Math.min(Number(change.key), items.length)] = change.value;
    return ['list', items];
  }
  if (model[0] !== 'dict') return model;
  const members = model[1].filter(([k]) => change.op === 'set' || k !== change.key);
  if (change.op === 'delete') return ['dict', members];
  const key = String(change.key);
  return members.some(([k]) => k === key)
    ? ['dict', members.map(([k, item]) => [k, k === key ? change.value : item] as const)]
    : ['dict', [...members, [key, change.value]]];
}

/** The same change made the way an app does it: copies along the path, then `session.set(key, value)`. */
export function changeData(data: Record<string, unknown>, change: Change): Record<string, unknown> {
  const apply = (value: unknown, depth: number): unknown => {
    if (depth < change.path.length) {
      const step = change.path[depth] as string | number;
      if (Array.isArray(value)) return value.map((item, i) => (i === step ? apply(item, depth + 1) : item));
      const copy = copyObject(value as Record<string, unknown>);
      defineOwn(copy, String(step), apply(copy[String(step)], depth + 1));
      return copy;
    }
    if (Array.isArray(value)) {
      const items = [...value];
      if (change.op === 'set') items[Math.min(Number(change.key), items.length)] = jsOf(change.value);
      return items;
    }
    const copy = copyObject(value as Record<string, unknown>);
    if (change.op === 'delete') delete copy[change.key];
    else defineOwn(copy, String(change.key), jsOf(change.value));
    return copy;
  };
  return apply(data, 0) as Record<string, unknown>;
}

function copyObject(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) defineOwn(copy, key, object[key]);
  return copy;
}

/**
 * What Python must read after the kit wrote `changed`, loaded from `original`:
 * the kit's documented rule is that a number still at its place with its value
 * keeps Python's spelling, and a dict keeps Python's order for the keys it had.
 */
export function expectedAfter(original: PyModel | undefined, changed: PyModel): PyModel {
  if (original === undefined) return changed;
  const isNumber = (m: PyModel) => m[0] === 'int' || m[0] === 'float';
  if (isNumber(original) && isNumber(changed))
    return Object.is(jsOf(original), jsOf(changed)) ? original : changed;
  if (original[0] === 'list' && changed[0] === 'list') {
    return ['list', changed[1].map((item, i) => expectedAfter(original[1][i], item))];
  }
  if (original[0] === 'dict' && changed[0] === 'dict') {
    const before = new Map(original[1]);
    const now = new Map(changed[1]);
    const keys = [
      ...original[1].map(([k]) => k).filter((k) => now.has(k)),
      ...changed[1].map(([k]) => k).filter((k) => !before.has(k)),
    ];
    return ['dict', keys.map((k) => [k, expectedAfter(before.get(k), now.get(k) as PyModel)] as const)];
  }
  return changed;
}

/** The aiohttp-session record of a session model. */
export function recordModel(created: number, session: PyDict): PyModel {
  return [
    'dict',
    [
      ['created', ['int', String(created)]],
      ['session', session],
    ],
  ];
}

// A small seeded generator: the spelling choices below follow from one seed.
function prng(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) as number;
  };
}

const SPACES = ['', '', '', ' ', '\n', '\t', '\r', '  \n '];
const SHORT: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

function oddString(text: string, pick: (n: number) => number): string {
  let out = '"';
  for (const unit of text.split('')) {
    const code = unit.charCodeAt(0);
    const hex = code.toString(16).padStart(4, '0');
    const mustEscape = code < 0x20 || unit === '"' || unit === '\\';
    const choice = pick(4);
    // Now and then a raw control character, which json.loads refuses.
    if (code < 0x20 && pick(20) === 0) out += unit;
    else if (choice === 0 || (mustEscape && SHORT[unit] === undefined))
      out += `\\u${pick(2) === 0 ? hex : hex.toUpperCase()}`;
    else if (SHORT[unit] !== undefined && (mustEscape || choice === 1)) out += SHORT[unit];
    else out += unit;
  }
  return `${out}"`;
}

function oddNumber(model: PyModel, pick: (n: number) => number): string {
  const text = model[1] as string;
  if (model[0] === 'int') return text === '0' && pick(3) === 0 ? '-0' : text;
  const value = floatOf(text);
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  // The same double, spelled in any of the ways json.loads takes for a float.
  const forms = [value.toExponential(), value.toExponential().replace('e', 'E').replace('+', ''), `${value}`];
  const form = forms[pick(forms.length)] as string;
  const sign = Object.is(value, -0) ? '-' : '';
  const plain = /[.eE]/.test(form) ? form : `${form}.0`;
  return (sign && !plain.startsWith('-') ? sign : '') + plain.replace(/e/, pick(2) === 0 ? 'e' : 'E');
}

// What is whitespace elsewhere but not to json.loads.
const NOT_SPACES = ['\f', '\v', '\u00a0', '\u2028', '\ufeff'];

function oddJson(model: PyModel, pick: (n: number) => number): string {
  const space = () =>
    pick(60) === 0
      ? (NOT_SPACES[pick(NOT_SPACES.length)] as string)
      : (SPACES[pick(SPACES.length)] as string);
  switch (model[0]) {
    case 'int':
    case 'float':
      return oddNumber(model, pick);
    case 'str':
      return oddString(model[1], pick);
    case 'bool':
      return String(model[1]);
    case 'null':
      return 'null';
    case 'list':
      return `[${space()}${model[1].map((item) => oddJson(item, pick)).join(`${space()},${space()}`)}${space()}]`;
    case 'dict': {
      const members = model[1].map(
        ([key, item]) => `${oddString(key, pick)}${space()}:${space()}${oddJson(item, pick)}`,
      );
      // A repeated key now and then: json.loads keeps the last value, at the first one's place.
      const first = members[0];
      if (first !== undefined && pick(5) === 0)
        members.push(first.replace(/:.*$/s, `:${space()}${pick(2) === 0 ? '1.0' : '[]'}`));
      return `{${space()}${members.join(`${space()},${space()}`)}${space()}}`;
    }
  }
}

/** Valid JSON for any value, spelled in the unusual ways json.loads also reads (escapes, spaces, 1E5, -0, repeated keys). */
export function oddlySpelled(): fc.Arbitrary<string> {
  return fc.tuple(pyModel(), fc.noBias(fc.integer())).map(([model, seed]) => {
    const pick = prng(seed);
    return `${SPACES[pick(SPACES.length)]}${oddJson(model, pick)}${SPACES[pick(SPACES.length)]}`;
  });
}
