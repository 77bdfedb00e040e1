/**
 * Untrusted text (an option key, a data key, a class name, an environment
 * value) made safe to quote in a message: printable ASCII only, every other
 * character shown as `?`, at most `max` characters.
 *
 * @internal
 */
export function printable(text: string, max = 40): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, max);
}
