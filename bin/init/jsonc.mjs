// tsconfig.json and jsconfig.json are JSON with comments and trailing commas.

/**
 * Parses JSON with comments and trailing commas; `undefined` when it is not.
 *
 * @param {string} text
 * @returns {unknown}
 */
export function parseJsonc(text) {
  try {
    return JSON.parse(stripTrailingCommas(stripComments(text)));
  } catch {
    return undefined;
  }
}

/** @param {string} text */
function stripComments(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

/** @param {string} text */
function stripTrailingCommas(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = stringEnd(text, i);
      out += text.slice(i, end);
      i = end - 1;
    } else if (c === ',' && closesNext(text, i + 1)) {
      // a trailing comma: dropped
    } else {
      out += c;
    }
  }
  return out;
}

const CLOSING = /\s*[}\]]/y;

/** Whether only whitespace stands between `from` and a closing bracket. */
function closesNext(text, from) {
  CLOSING.lastIndex = from;
  return CLOSING.test(text);
}

/** Index just past the JSON string starting at `start` (a `"`). */
function stringEnd(text, start) {
  let i = start + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return i + 1;
}
