import { isRecord } from '../is-object.ts';
import type { CookieJar, SessionData } from '../types.ts';
import type { MigrationRead } from './types.ts';

/**
 * The app's mapping from the old session's content to the kit's data.
 */
export type MapData<Input, Data extends SessionData> = (input: Input) => Data | Promise<Data>;

/**
 * The app's choice of user id for a migrated session (`undefined`: not bound to a user).
 */
export type UserIdOf<Input> = (input: Input) => string | undefined;

/**
 * Runs the app's `map` and `userId` on what an old cookie held. A function
 * that throws, data that is not a plain object, or a user id that
 * `newSession({ userId })` would refuse is the app's mistake, not the
 * browser's: the session is refused as `'migration'` (like a `migrate` that
 * throws), never a 500.
 *
 * @internal
 */
export async function carryOver<Input, Data extends SessionData>(
  input: Input,
  map: MapData<Input, Data>,
  userIdOf: UserIdOf<Input> | undefined,
  source: string,
): Promise<MigrationRead<Data>> {
  let data: unknown;
  let userId: unknown;
  try {
    data = await map(input);
    userId = userIdOf?.(input);
  } catch (error) {
    devWarn(`${source}: \`map\` or \`userId\` threw; the user gets a fresh session.`, error);
    return { status: 'rejected', reason: 'migration' };
  }
  if (!isRecord(data)) {
    devWarn(`${source}: \`map\` must return a plain object; the user gets a fresh session.`);
    return { status: 'rejected', reason: 'migration' };
  }
  if (userId !== undefined && (typeof userId !== 'string' || userId.length === 0 || userId.length > 256)) {
    devWarn(
      `${source}: \`userId\` must return a non-empty string of at most 256 characters, or undefined; ` +
        'the user gets a fresh session.',
    );
    return { status: 'rejected', reason: 'migration' };
  }
  return { status: 'found', data: data as Data, userId };
}

/**
 * Expires the cookies `names` that the request carries, with the scope they
 * were written with (a browser removes a cookie only when name, path and
 * domain match; a `__Secure-` or `Secure` one only through a Secure write).
 *
 * @internal
 */
export function expireCookies(
  jar: CookieJar,
  names: readonly string[],
  scope: { path: string; domain: string | undefined; secure: boolean },
): void {
  for (const name of names) {
    if (jar.get(name) === undefined) continue;
    jar.set(name, '', {
      path: scope.path,
      ...(scope.domain !== undefined && { domain: scope.domain }),
      secure: scope.secure,
      httpOnly: true,
      sameSite: 'lax',
      maxAge: 0,
      expires: new Date(0),
    });
  }
}

function devWarn(message: string, error?: unknown): void {
  if (typeof process !== 'undefined' && process.env?.NODE_ENV === 'production') return;
  // The error's name only: its message may quote the session's content.
  const detail = error instanceof Error ? ` (${error.name})` : '';
  console.warn(`next-session-kit: ${message}${detail}`);
}
