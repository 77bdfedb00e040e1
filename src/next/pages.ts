import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestCookies, ResponseCookies } from 'next/dist/server/web/spec-extension/cookies.js';
import { hasChanges } from '../change-set.ts';
import { replaceSession } from '../engine/sign-in.ts';
import type { SessionEngine } from '../engine.ts';
import { SessionConfigError, SessionReadOnlyError } from '../errors.ts';
import {
  asSession,
  type Committer,
  type Session,
  type SessionCore,
  type SessionImpl,
  unsavedChanges,
} from '../session.ts';
import type { CookieJar, CookieWriteOptions, SessionData } from '../types.ts';
import { HAND_OFF_HEADER, takeHandOff } from './hand-off.ts';
import type { NewSessionOptions } from './kit.ts';
import { signInOf } from './sign-in.ts';
import { unsavedMessage } from './unsaved.ts';

/**
 * The session helpers of one Pages Router request, from `kit.pages(req, res)`:
 * the same sessions, cookie and storage as the App Router helpers.
 *
 * @example
 * ```ts
 * // pages/dashboard.tsx
 * export const getServerSideProps = (async ({ req, res }) => {
 *   const session = await kit.pages(req, res).getSession();
 *   return { props: { user: session.get('user') ?? null } };
 * }) satisfies GetServerSideProps;
 * ```
 */
export interface PagesSession<
  Data extends SessionData = SessionData,
  Flash extends SessionData = SessionData,
> {
  /** This request's session, loaded once per request (every call returns the same object). */
  getSession(): Promise<Session<Data, Flash>>;
  /**
   * Whether the request carries a valid session, without creating one: no
   * cookie is written and nothing is stored.
   */
  hasSession(): Promise<boolean>;
  /** A fresh identity with empty data (a login); the previous session is destroyed when this one is saved. */
  newSession(options?: NewSessionOptions): Promise<Session<Data, Flash>>;
  /** Ends the current session now: clears its cookie (and its stored record). */
  destroySession(): Promise<void>;
}

/**
 * What one request's helpers share, however often `kit.pages(req, res)` is
 * called in it: made at its first call.
 */
interface PagesSlot {
  current: Promise<SessionImpl> | undefined;
  readonly engine: SessionEngine;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly jar: CookieJar;
  readonly secure: boolean;
  readonly commit: Committer;
}

/**
 * @internal Binds the engine to Pages Router requests: `getServerSideProps`'s
 * `context.req`/`context.res` and API routes' `NextApiRequest`/`NextApiResponse`
 * (Node's `IncomingMessage`/`ServerResponse`). Cookies are read from the
 * request's Cookie header and written as `Set-Cookie` headers on the response,
 * next to whatever else the response already sets.
 *
 * @example
 * ```ts
 * const pages = createPagesAccess(engine);
 * const session = await pages(req, res).getSession();
 * ```
 */
export function createPagesAccess(engine: SessionEngine) {
  const slots = new WeakMap<IncomingMessage, PagesSlot>();

  return <Data extends SessionData = SessionData, Flash extends SessionData = SessionData>(
    req: IncomingMessage,
    res: ServerResponse,
  ): PagesSession<Data, Flash> => {
    checkArguments(req, res);
    let slot = slots.get(req);
    if (slot === undefined) {
      slot = newSlot(engine, req, res);
      slots.set(req, slot);
    }
    return pagesSession<Data, Flash>(slot);
  };
}

function pagesSession<Data extends SessionData, Flash extends SessionData>(
  slot: PagesSlot,
): PagesSession<Data, Flash> {
  return {
    getSession: async () => asSession<Data, Flash>(await current(slot)),

    async hasSession(): Promise<boolean> {
      const session = await (slot.current ?? load(slot, true));
      // Not new and not yet saved: carried over from another library's cookie (`migrateFrom`).
      return session.changes.handle !== undefined || !session.isNew;
    },

    async newSession(options?: NewSessionOptions): Promise<Session<Data, Flash>> {
      const { engine, req } = slot;
      const signIn = await signInOf(engine, options, () => requestHeaders(req));
      const previous = await current(slot);
      const next = replaceSession(engine, previous, slot.commit, signIn);
      slot.current = Promise.resolve(next);
      return asSession<Data, Flash>(next);
    },

    async destroySession(): Promise<void> {
      const session = await current(slot);
      session.invalidate();
      await session.save();
    },
  };
}

function newSlot(engine: SessionEngine, req: IncomingMessage, res: ServerResponse): PagesSlot {
  const jar = responseJar(req, res);
  const secure = isHttps(req);
  const commit = async (session: SessionCore): Promise<void> => {
    // Checked before the store is touched, and even when nothing changed:
    // a save the response can no longer carry is a mistake to report, never
    // a store write whose cookie silently goes missing.
    refuseIfSent(res);
    if (!hasChanges(session.changes)) return;
    await engine.commit(session, jar, secure);
  };
  return { current: undefined, engine, req, res, jar, secure, commit };
}

/** The request's session, loaded at the first call that needs it. */
function current(slot: PagesSlot): Promise<SessionImpl> {
  if (slot.current === undefined) keep(slot, load(slot, false));
  return slot.current as Promise<SessionImpl>;
}

/**
 * The guard in proxy.ts may have loaded this request's session already (as
 * for the App Router: one store round trip, one decrypt per request). A
 * hand-off is a full load, taken once: hasSession() keeps it as the
 * request's session, for getSession().
 */
async function load(slot: PagesSlot, peek: boolean): Promise<SessionImpl> {
  const { engine, req, jar, secure, commit } = slot;
  const id = handOffId(req);
  const handed = id === undefined ? undefined : await takeHandOff(engine, id, jar, secure, commit);
  if (handed === undefined) return engine.load(jar, commit, secure, peek);
  if (peek && slot.current === undefined) keep(slot, Promise.resolve(handed));
  return handed;
}

function keep(slot: PagesSlot, session: Promise<SessionImpl>): void {
  slot.current = session;
  if (slot.engine.options.warnUnsaved) watchUnsaved(slot.res, () => slot.current);
}

/**
 * The request's cookies, as Next parses them for `cookies()` (so both routers
 * read the same values), with every write mirrored in: the engine re-reads the
 * jar after writing (chunks, a migrated cookie), as it does through `cookies()`.
 * Each write becomes a `Set-Cookie` line on `res`.
 */
function responseJar(req: IncomingMessage, res: ServerResponse): CookieJar {
  const cookies = new RequestCookies(cookieHeaders(req));
  // The line this kit last wrote for each cookie name: a second save in the
  // same request replaces it instead of sending the browser two values.
  const written = new Map<string, string>();
  return {
    get: (name) => cookies.get(name),
    getAll: () => cookies.getAll(),
    set: (name, value, options) => {
      const line = setCookieLine(name, value, options);
      const lines = setCookieLines(res).filter((existing) => existing !== written.get(name));
      try {
        res.setHeader('set-cookie', [...lines, line]);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_HTTP_HEADERS_SENT')
          throw new SessionReadOnlyError(sentMessage);
        throw error;
      }
      // A response that does not show the line dropped it.
      if (!setCookieLines(res).includes(line)) throw new SessionReadOnlyError(sentMessage);
      written.set(name, line);
      if (options.maxAge === 0) cookies.delete(name);
      else cookies.set(name, value);
    },
  };
}

/** The hand-off id proxy.ts forwarded with this request, if exactly one (see hand-off.ts). */
function handOffId(req: IncomingMessage): string | undefined {
  const value = req.headers[HAND_OFF_HEADER];
  return typeof value === 'string' ? value : undefined;
}

/** The request's Cookie header (joined if sent more than once), as a `Headers` for Next's parser. */
function cookieHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.headers.cookie;
  const value = Array.isArray(raw) ? raw.join('; ') : raw;
  if (value === undefined) return headers;
  try {
    headers.set('cookie', value);
  } catch {
    // A value Fetch's Headers refuses (Node's parser lets fewer bytes through
    // than it does): read as no cookie, which yields a fresh session.
  }
  return headers;
}

/** One `Set-Cookie` line exactly as Next writes it for `cookies().set()`. */
function setCookieLine(name: string, value: string, options: CookieWriteOptions): string {
  const headers = new Headers();
  new ResponseCookies(headers).set(name, value, options);
  const [line] = headers.getSetCookie();
  if (line === undefined) throw new Error(`next-session-kit: no Set-Cookie line for ${name}`);
  return line;
}

/** The response's Set-Cookie header as a list, however it was set (string, array or unset). */
function setCookieLines(res: ServerResponse): string[] {
  const value = res.getHeader('set-cookie');
  if (value === undefined) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

/**
 * Whether the request reached Next over https: the `x-forwarded-proto` Next
 * sets itself (keeping a trusted proxy's), which the App Router helpers read
 * too, or a TLS socket (a custom server).
 */
function isHttps(req: IncomingMessage): boolean {
  const raw = req.headers['x-forwarded-proto'];
  const proto = Array.isArray(raw) ? raw[0] : raw;
  if (proto?.split(',')[0]?.trim().toLowerCase() === 'https') return true;
  return (req.socket as { encrypted?: unknown } | null)?.encrypted === true;
}

const sentMessage =
  "The session cannot be saved: this response's headers were already sent, so its cookie can no " +
  'longer be set. In getServerSideProps and API routes, save the session (newSession(), save(), ' +
  'destroySession()) before res.json(), res.send(), res.redirect(), res.end() or res.writeHead().';

function refuseIfSent(res: ServerResponse): void {
  if (res.headersSent || res.writableEnded) throw new SessionReadOnlyError(sentMessage);
}

function checkArguments(req: unknown, res: unknown): void {
  const request = req as Partial<IncomingMessage> | null | undefined;
  const response = res as Partial<ServerResponse> | null | undefined;
  if (
    typeof request?.headers !== 'object' ||
    request.headers === null ||
    typeof response?.setHeader !== 'function' ||
    typeof response.getHeader !== 'function'
  ) {
    throw new SessionConfigError(
      'kit.pages(req, res) needs the request and response of getServerSideProps (context.req, ' +
        'context.res) or of an API route. getStaticProps and page components have none: read the ' +
        'session in getServerSideProps and pass what the page needs as props.',
    );
  }
}

/**
 * Outside production, warns once the response is finished if the request's
 * session still has unsaved changes (as the App Router helpers do).
 */
function watchUnsaved(res: ServerResponse, current: () => Promise<SessionImpl> | undefined): void {
  if (typeof res.once !== 'function') return;
  res.once('finish', () => {
    void current()
      ?.then((session) => {
        const changes = unsavedChanges(session);
        if (changes.length > 0) console.warn(unsavedMessage(changes, 'getServerSideProps or the API route'));
      })
      .catch(() => undefined);
  });
}

// The request's headers as a `Headers` (what `devices` reads), repeated ones joined.
function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  return headers;
}
