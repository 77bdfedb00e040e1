import { hasChanges, newChangeSet } from '../change-set.ts';
import { readChunkedCookie } from '../cookie/chunks.ts';
import type { SessionEngine } from '../engine.ts';
import { type Committer, type SessionCore, SessionImpl } from '../session.ts';
import type { SessionState } from '../storage/types.ts';
import type { CookieJar } from '../types.ts';

/**
 * The request header through which `proxy.ts` tells the render of the same
 * request where the session it loaded waits. It carries only a random id;
 * the guard overwrites or removes any value a client sent.
 *
 * @internal
 */
export const HAND_OFF_HEADER = 'x-next-session-kit-hand-off';

// Long enough for the render of a busy server to start, short enough that
// entries of renders that never read the session go soon.
const LIFE_MS = 5_000;
const MAX_ENTRIES = 4096;

/** A session the proxy loaded (and committed), waiting for its render. */
interface Entry {
  readonly expires: number;
  /** Which kit: the storage and the cookie name of this request. */
  readonly storage: string;
  readonly cookieName: string;
  /** The session cookie's value exactly as the render must see it. */
  readonly cookie: string;
  readonly state: SessionState;
  readonly handle: string;
}

// proxy.ts and the app are separate bundles, each with its own module
// instances, but in one Node process: the registry lives on globalThis. A
// proxy in another sandbox (edge middleware) or process finds no entry, and
// the render loads as it would without one.
const KEY = Symbol.for('next-session-kit.hand-off');

function registry(): Map<string, Entry> {
  const slot = globalThis as { [KEY]?: Map<string, Entry> };
  slot[KEY] ??= new Map();
  return slot[KEY];
}

/**
 * In the proxy, after the guard's own writes: keeps the session for this
 * request's render and returns the id to forward in {@link HAND_OFF_HEADER},
 * or `undefined` when there is nothing a render could take as is (no
 * cookie, a new identity, changes still pending). `jar` shows the cookies
 * the render will see (the request's, with the proxy's writes mirrored).
 *
 * @internal
 */
export function offerHandOff(
  engine: SessionEngine,
  session: SessionCore,
  jar: CookieJar,
  secure: boolean,
): string | undefined {
  const { changes } = session;
  if (session.isNew || hasChanges(changes) || changes.handle === undefined) return undefined;
  const cookieName = engine.cookies.on(secure).name;
  const read = readChunkedCookie(jar, cookieName, engine.storage.maxChunks);
  if (read.status !== 'present') return undefined;
  const entries = registry();
  const now = performance.now();
  // Insertion order is expiry order: drop the expired, then the oldest past the bound.
  for (const [id, entry] of entries) {
    if (entry.expires > now && entries.size < MAX_ENTRIES) break;
    entries.delete(id);
  }
  const id = randomId();
  entries.set(id, {
    expires: now + LIFE_MS,
    storage: engine.options.storage.name,
    cookieName,
    cookie: read.value,
    // The render may change its copy; the proxy's own code may still hold this one.
    state: structuredClone(session.state),
    handle: changes.handle,
  });
  return id;
}

/**
 * In the render: the session the proxy handed over under `id`, taken once,
 * if it was loaded from exactly the session cookie `jar` holds now, for this
 * kit; otherwise `undefined` (load as usual). An id a client made up, one
 * already taken or expired, or one for another cookie is never used.
 *
 * @internal
 */
export function takeHandOff(
  engine: SessionEngine,
  id: string,
  jar: CookieJar,
  secure: boolean,
  commit: Committer,
): SessionImpl | undefined {
  const entries = registry();
  const entry = entries.get(id);
  if (entry === undefined) return undefined;
  entries.delete(id);
  if (entry.expires <= performance.now()) return undefined;
  const cookieName = engine.cookies.on(secure).name;
  if (entry.cookieName !== cookieName || entry.storage !== engine.options.storage.name) return undefined;
  const read = readChunkedCookie(jar, cookieName, engine.storage.maxChunks);
  if (read.status !== 'present' || read.value !== entry.cookie) return undefined;
  const changes = newChangeSet(entry.handle, read.names, false);
  return new SessionImpl(entry.state, false, changes, engine.hooks, commit);
}

/**
 * `destroyUserSessions()`: the user's sessions waiting for a render in this
 * process are dropped, so those renders load again and find them ended
 * (even a Server Action's own re-render that had not read the session yet).
 *
 * @internal
 */
export function forgetUserHandOffs(engine: SessionEngine, userId: string): void {
  const entries = registry();
  const storage = engine.options.storage.name;
  for (const [id, entry] of entries) {
    if (entry.storage === storage && entry.state.userId === userId) entries.delete(id);
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
