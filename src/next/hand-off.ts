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
  /** Which kit (see kitOf): only the same kit, built from the same options, takes it. */
  readonly kit: string;
  /** The storage's name, for forgetUserHandOffs. */
  readonly storage: string;
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
export async function offerHandOff(
  engine: SessionEngine,
  session: SessionCore,
  jar: CookieJar,
  secure: boolean,
): Promise<string | undefined> {
  const { changes } = session;
  if (session.isNew || hasChanges(changes) || changes.handle === undefined) return undefined;
  const cookieName = engine.cookies.on(secure).name;
  const read = readChunkedCookie(jar, cookieName, engine.storage.maxChunks);
  if (read.status !== 'present') return undefined;
  const kit = await kitOf(engine, cookieName);
  // The state as it is now: the proxy's own code may still change its copy.
  const state = structuredClone(session.state);
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
    kit,
    storage: engine.options.storage.name,
    cookie: read.value,
    state,
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
export async function takeHandOff(
  engine: SessionEngine,
  id: string,
  jar: CookieJar,
  secure: boolean,
  commit: Committer,
): Promise<SessionImpl | undefined> {
  const cookieName = engine.cookies.on(secure).name;
  const kit = await kitOf(engine, cookieName);
  const entries = registry();
  const entry = entries.get(id);
  // Another kit's entry stays for its own kit, if that one reads in this render too.
  if (entry === undefined || entry.kit !== kit) return undefined;
  entries.delete(id);
  if (entry.expires <= performance.now()) return undefined;
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

const kits = new WeakMap<SessionEngine, string | Promise<string>>();

/**
 * Which kit `engine` is, as a string equal for kits built from the same
 * options (proxy.ts and the app are separate bundles: the same kit is built
 * once in each, so object identity cannot tell it), and different when the
 * storage, its secrets or key prefix (its `identity`), or the cookie name
 * differ: another kit never takes a session this one loaded.
 */
async function kitOf(engine: SessionEngine, cookieName: string): Promise<string> {
  let base = kits.get(engine);
  if (base === undefined) {
    const storage = engine.options.storage.name;
    const identity = engine.storage.identity;
    base = identity === undefined ? JSON.stringify([storage, null]) : resolveKit(storage, identity);
    kits.set(engine, base);
    if (typeof base !== 'string') void base.then((value) => kits.set(engine, value));
  }
  return `${typeof base === 'string' ? base : await base}\0${cookieName}`;
}

function resolveKit(storage: string, identity: string | Promise<string>): string | Promise<string> {
  if (typeof identity === 'string') return JSON.stringify([storage, identity]);
  // Unknown: this kit alone (no hand-off across bundles), never another's.
  return identity.then(
    (value) => JSON.stringify([storage, value]),
    () => JSON.stringify([storage, randomId()]),
  );
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
