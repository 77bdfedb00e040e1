import { after } from 'next/server.js';
import { printable } from '../printable.ts';
import { type SessionImpl, unsavedChanges } from '../session.ts';
import { canWriteCookies } from './context.ts';
import { currentTestRequest } from './test-request.ts';

const MAX_LISTED = 10;

/**
 * The warning for a session changed but never saved. Names keys and
 * operations only, never values.
 */
export function unsavedMessage(
  changes: readonly string[],
  where = 'the Server Action or Route Handler',
): string {
  const names = changes.slice(0, MAX_LISTED).map((name) => printable(name, 60));
  const listed = names.join(', ') + (changes.length > MAX_LISTED ? `, … (${changes.length} in all)` : '');
  return (
    `next-session-kit: the session was changed (${listed}) but never saved, so the change is lost. ` +
    `Call \`await session.save()\` before ${where} returns. ` +
    "(Shown outside production; `warnUnsaved: false` turns it off, `'always'` keeps it in production.)"
  );
}

/**
 * Registers the end-of-request check: once the Server Action or Route
 * Handler has finished (`after()`), warn if the request's session still has
 * unsaved changes. Server component renders cannot save, so they are not
 * checked. Never fails the request.
 */
export async function watchUnsaved(current: () => Promise<SessionImpl> | undefined): Promise<void> {
  try {
    if (!(await canWriteCookies())) return;
    const check = async (): Promise<void> => {
      const session = await current()?.catch(() => undefined);
      const changes = session === undefined ? [] : unsavedChanges(session);
      if (changes.length > 0) console.warn(unsavedMessage(changes));
    };
    const test = currentTestRequest();
    if (test !== undefined) test.after.push(check);
    else after(check);
  } catch {
    // Outside a request scope, or where after() is unavailable: no warning.
  }
}
