/**
 * Undoes Python's cookie quoting (`http.cookies`, RFC 2109): a value that
 * needed it arrives wrapped in double quotes, with `\"`, `\\` and octal
 * `\NNN` escapes inside. An unquoted value is returned as is.
 */
export function unquoteCookieValue(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value
    .slice(1, -1)
    .replace(/\\(?:([0-3][0-7][0-7])|(.))/g, (_, octal: string | undefined, char: string | undefined) =>
      octal !== undefined ? String.fromCharCode(Number.parseInt(octal, 8)) : (char ?? ''),
    );
}
