// Numbers between Python's json module and JavaScript. Python has two kinds
// (int of any size, float) where JavaScript has one (a double) plus bigint;
// these are the rules that keep every value Python wrote exact.

/**
 * Python's default limit on the digits of an int read from or written as
 * text (`sys.int_info.default_max_str_digits`): `json.loads` and
 * `json.dumps` both raise `ValueError` beyond it.
 */
export const PYTHON_MAX_INT_DIGITS = 4300;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * The value of a number literal as Python's `json.loads` reads it, in
 * JavaScript: an int within ±(2^53 − 1) is a `number`, a larger one a
 * `bigint` (exact, never rounded); a float is a `number` (the same IEEE
 * double Python holds). `undefined` for an int with more digits than Python
 * reads.
 */
export function decodePythonNumber(literal: string, isFloat: boolean): number | bigint | undefined {
  if (isFloat) return Number(literal);
  const digits = literal.charCodeAt(0) === 0x2d ? literal.length - 1 : literal.length;
  // `+ 0` turns the int literal "-0" into 0: Python's int has no negative zero.
  if (digits <= 15) return Number(literal) + 0;
  if (digits > PYTHON_MAX_INT_DIGITS) return undefined;
  const big = BigInt(literal);
  return big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big;
}

/**
 * How Python's `json.dumps` spells the Python value a JavaScript number or
 * bigint stands for: a bigint, or a `number` that is a safe integer, is an
 * int; any other `number` is a float, in `repr()` notation (`-0.0`, `NaN`,
 * `Infinity`, `1e+16`, `1e-05`, `1.5`).
 */
export function pythonNumber(value: number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) return String(value);
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return pythonFloat(value);
}

// repr(float): the shortest digits that read back as the same double (which
// toExponential() gives too), in fixed notation for decimal exponents from -4
// to 15 and scientific (e+XX / e-XX) otherwise; a whole number ends in ".0".
function pythonFloat(value: number): string {
  const [mantissa = '0', exp = '0'] = value.toExponential().split('e');
  const exponent = Number(exp);
  const negative = mantissa.startsWith('-') || Object.is(value, -0);
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const expSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${expSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}
