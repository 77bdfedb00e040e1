import { unsealData } from 'iron-session';
import { deferConfigErrorDuringBuild } from '../build-phase.ts';
import { SessionConfigError } from '../errors.ts';
import { isRecord } from '../is-object.ts';
import type { InvalidSessionReason, SessionData } from '../types.ts';
import { carryOver, expireCookies, type MapData, type UserIdOf } from './carry-over.ts';
import { checkCookieName, checkCookieScope, checkKeys, deferredSource, optionalFunction } from './options.ts';
import type { MigrationRead, MigrationSource } from './types.ts';

const FACTORY = 'ironSession()';
const KEYS = ['password', 'cookieName', 'ttl', 'cookieOptions', 'onUnsealError', 'map', 'userId'] as const;
// What iron-session itself writes: `Fe26.2*…~2`, in one cookie of at most
// 4096 bytes. Anything else is refused before any crypto runs; that includes
// iron-session 6 cookies (no `~2`), which iron-session 9 no longer reads either.
const SEAL_SHAPE = /^Fe26\.2\*[\w*-]*~2$/;
const MAX_SEAL_LENGTH = 4096;
// iron's own clock allowance for an expired seal.
const IRON_SKEW_MS = 60_000;

/** iron-session 9's reasons for an unreadable seal. */
type UnsealErrorReason = 'expired' | 'invalid' | 'unknown-password';

/**
 * Options of {@link ironSession}: your iron-session options (`password`,
 * `cookieName`, `ttl`, `cookieOptions`), so you can pass the object you
 * already have, plus how the data becomes the kit's.
 *
 * @example
 * ```ts
 * const options: IronSessionOptions<Data> = { ...sessionOptions, userId: (data) => data.userId as string | undefined };
 * ```
 */
export interface IronSessionOptions<Data extends SessionData, IronData extends SessionData = SessionData> {
  /**
   * The iron-session `password`: a string of at least 32 characters, or the
   * map of every password still in use, `{ 1: 'old…', 2: 'new…' }`.
   */
  password: string | Readonly<Record<string | number, string>>;
  /** The iron-session `cookieName`, exactly. */
  cookieName: string;
  /**
   * The iron-session `ttl` in seconds (default 14 days). Each seal carries
   * its own expiry, which is what is checked; once `ttl` has passed since the
   * switch, every iron cookie has expired and the migration can go.
   */
  ttl?: number;
  /**
   * The iron-session `cookieOptions`. Only `path`, `domain` and `secure` are
   * used, to clear the old cookie; the rest is ignored.
   */
  cookieOptions?: { path?: string; domain?: string; secure?: boolean; [option: string]: unknown };
  /** iron-session 9's hook, still called as iron-session would call it. */
  onUnsealError?: (reason: UnsealErrorReason, error: unknown) => void;
  /** Turns the iron session's data into the kit's; default: the data as it is. */
  map?: MapData<IronData, Data>;
  /**
   * The user the migrated session is bound to (`newSession({ userId })`
   * semantics), e.g. `(data) => data.user?.id`. Without it the session is
   * bound to no user, and `guard({ protect })` treats it as signed out.
   */
  userId?: UserIdOf<IronData>;
}

/**
 * Reads iron-session (8 or 9) cookies, through iron-session's own
 * `unsealData` (install `iron-session`; it is an optional peer dependency,
 * loaded only by this entry), for `createSessionKit({ migrateFrom })`.
 *
 * @example
 * ```ts
 * import { ironSession } from 'next-session-kit/migrate/iron-session';
 * export const { getSession } = createSessionKit<Data>({
 *   storage: encryptedCookieStorage({ secret: sessionSecret() }),
 *   migrateFrom: ironSession({
 *     password: process.env.IRON_SESSION_PASSWORD!,
 *     cookieName: 'my-app',
 *     userId: (data) => (data.user as { id?: string } | undefined)?.id,
 *   }),
 * });
 * ```
 */
export function ironSession<
  Data extends SessionData = SessionData,
  IronData extends SessionData = SessionData,
>(options: IronSessionOptions<Data, IronData>): MigrationSource<Data> {
  return deferConfigErrorDuringBuild(
    () => createIronSource(options),
    (error) => deferredSource<Data>('iron-session', error),
  );
}

function createIronSource<Data extends SessionData, IronData extends SessionData>(
  options: IronSessionOptions<Data, IronData>,
): MigrationSource<Data> {
  const iron = resolveIronOptions(options);
  const { cookieName, map, userId } = iron;
  return {
    name: 'iron-session',
    cookieNames: [cookieName],
    async read(jar): Promise<MigrationRead<Data>> {
      const value = jar.get(cookieName)?.value;
      if (typeof value !== 'string' || value === '') return { status: 'absent' };
      if (value.length > MAX_SEAL_LENGTH || !SEAL_SHAPE.test(value))
        return { status: 'rejected', reason: 'invalid' };
      const opened = await unseal(value, iron);
      if ('reason' in opened) return { status: 'rejected', reason: opened.reason };
      if (!isRecord(opened.data)) return { status: 'rejected', reason: 'invalid' };
      return carryOver(opened.data as IronData, map as MapData<IronData, Data>, userId, FACTORY);
    },
    clear(jar, request) {
      expireCookies(jar, [cookieName], { ...iron.scope, secure: iron.secureCookie || request.secure });
    },
  };
}

// The iron-session options, validated once.
function resolveIronOptions<Data extends SessionData, IronData extends SessionData>(
  options: IronSessionOptions<Data, IronData>,
) {
  if (typeof options !== 'object' || options === null) {
    throw new SessionConfigError(`${FACTORY} needs your iron-session options: { password, cookieName }.`);
  }
  checkKeys(options, KEYS, FACTORY);
  const passwords = passwordMap(options.password);
  const cookieName = checkCookieName(
    options.cookieName,
    FACTORY,
    'the `cookieName` of your iron-session options',
  );
  const ttl = options.ttl ?? 14 * 24 * 3600;
  if (!Number.isInteger(ttl) || ttl < 0) {
    throw new SessionConfigError(
      `${FACTORY}: \`ttl\` must be the iron-session ttl in whole seconds (0: no expiry).`,
    );
  }
  const scope = checkCookieScope(options.cookieOptions, FACTORY);
  const secureCookie = options.cookieOptions?.secure ?? true;
  if (typeof secureCookie !== 'boolean') {
    throw new SessionConfigError(`${FACTORY}: \`cookieOptions.secure\` must be true or false.`);
  }
  const onUnsealError = optionalFunction(
    options.onUnsealError,
    FACTORY,
    'onUnsealError',
    '(reason, error) => void',
  );
  const map = optionalFunction(options.map, FACTORY, 'map', '(data) => Data') ?? identity;
  const userId = optionalFunction(options.userId, FACTORY, 'userId', '(data) => string | undefined');
  return { passwords, cookieName, ttl, scope, secureCookie, onUnsealError, map, userId };
}

async function unseal(
  seal: string,
  iron: Pick<ReturnType<typeof resolveIronOptions>, 'passwords' | 'ttl' | 'onUnsealError'>,
): Promise<{ data: unknown } | { reason: InvalidSessionReason }> {
  const { passwords, ttl, onUnsealError } = iron;
  let reported: UnsealErrorReason | undefined;
  // iron-session 8 has no `onUnsealError` (and would refuse it in its
  // types), and throws for failures it does not recognise.
  const unsealOptions = {
    password: passwords,
    ttl,
    onUnsealError: (reason: UnsealErrorReason, error: unknown) => {
      reported = reason;
      try {
        onUnsealError?.(reason, error);
      } catch {
        // iron-session says the hook must not throw; a bad cookie stays no 500 here.
      }
    },
  };
  let data: unknown;
  try {
    data = await unsealData(seal, unsealOptions);
  } catch {
    return { reason: 'invalid' };
  }
  if (reported !== undefined) return { reason: REASONS[reported] };
  // iron-session 8 answers `{}` for an expired, tampered or unknown-password
  // seal as for a valid empty session; 9 reports every failure.
  if (isEmptyObject(data) && !(await reportsUnsealErrors())) return { reason: classify(seal, passwords) };
  return { data };
}

const REASONS: Record<UnsealErrorReason, InvalidSessionReason> = {
  expired: 'expired',
  invalid: 'invalid',
  'unknown-password': 'unknown-key',
};

function identity<T>(value: T): T {
  return value;
}

function isEmptyObject(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 0;
}

// A null-prototype map: iron looks the seal's password id up with `in`, and
// an id such as "__proto__" must not find anything.
function passwordMap(value: unknown): Record<string, string> {
  const map = Object.create(null) as Record<string, string>;
  const advice =
    'the iron-session `password`: a string of at least 32 characters, or { 1: "…", 2: "…" } with every ' +
    'password still in use';
  if (typeof value === 'string') {
    if (value.length < 32)
      throw new SessionConfigError(`${FACTORY}: \`password\` is too short; it must be ${advice}.`);
    map['1'] = value;
    return map;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SessionConfigError(`${FACTORY} needs \`password\`: ${advice}.`);
  }
  for (const [id, password] of Object.entries(value)) {
    if (!/^(0|[1-9]\d{0,8})$/.test(id)) {
      throw new SessionConfigError(
        `${FACTORY}: the password ids must be whole numbers, as iron-session's are.`,
      );
    }
    if (typeof password !== 'string' || password.length < 32) {
      throw new SessionConfigError(
        `${FACTORY}: \`password[${id}]\` must be a string of at least 32 characters.`,
      );
    }
    map[id] = password;
  }
  if (Object.keys(map).length === 0)
    throw new SessionConfigError(`${FACTORY} needs \`password\`: ${advice}.`);
  return map;
}

// Only for iron-session 8, whose `{}` hides why a seal failed: the reason
// iron would have given, from the seal's plain fields, in iron's order.
// Whatever this says, the session was refused by iron-session itself.
function classify(seal: string, passwords: Record<string, string>): InvalidSessionReason {
  const parts = seal.slice(0, seal.indexOf('~')).split('*');
  if (parts.length !== 8) return 'invalid';
  const expiration = parts[5] ?? '';
  if (/^\d{1,16}$/.test(expiration) && Number(expiration) <= Date.now() - IRON_SKEW_MS) return 'expired';
  if (!((parts[1] || 'default') in passwords)) return 'unknown-key';
  return 'invalid';
}

let probe: Promise<boolean> | undefined;

// Whether the installed iron-session reports every failure through
// `onUnsealError` (9 and later): then a `{}` without a report is a valid,
// empty session. Found out once, on a seal with a wrong prefix, which
// iron-session 8 throws for and 9 reports.
function reportsUnsealErrors(): Promise<boolean> {
  probe ??= (async () => {
    let reported = false;
    const options = {
      password: 'x'.repeat(32),
      onUnsealError: () => {
        reported = true;
      },
    };
    try {
      await unsealData('Fe26.0*1*a*b*c**d*e~2', options);
    } catch {
      // iron-session 8.
    }
    return reported;
  })();
  return probe;
}
