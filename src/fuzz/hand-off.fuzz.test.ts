// Hostile values of the proxy's hand-off header (src/next/hand-off.ts), sent
// by a client straight to the App Router or the Pages Router, with or without
// a cookie: arbitrary strings, ids of other requests' live entries, of taken
// ones and of expired ones. Always a normal load of the sender's own cookie:
// never another request's session, never a crash.
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { NextRequest } from 'next/server.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withSessionRequest } from '../entries/testing.ts';
import { HAND_OFF_HEADER } from '../next/hand-off.ts';
import { createSessionKit } from '../next/kit.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import type { BoundStorage, SessionStorage } from '../storage/types.ts';
import { createFuzzer } from '../test-utils/fuzz.ts';
import { hostileString } from '../test-utils/hostile.ts';
import { renderOf } from '../test-utils/proxy-render.ts';

const fuzz = createFuzzer('hand-off');
const SECRET = 'hand-off-fuzz-secret-that-is-long-enough-0001';
type Data = { user?: string };
type Sender = 'ada' | 'grace' | 'none' | 'garbage';
type IdKind = { kind: 'ada' | 'grace' | 'taken' | 'expired' } | { kind: 'raw'; value: string };

/** The encrypted-cookie storage, handed off like a store, counting its loads. */
function countingStorage() {
  const inner = encryptedCookieStorage({ secret: SECRET });
  const counter = { loads: 0 };
  const storage: SessionStorage = {
    name: inner.name,
    create(context) {
      const bound = inner.create(context);
      return new Proxy(bound, {
        get(target, key, receiver) {
          // Handed off on every guarded request, as a store's session is: these
          // tests count the hand-off's decrypts. The cookie storages themselves
          // hand off only when the proxy forwards headers anyway (guard.test.ts).
          if (key === 'loadsFromCookie') return false;
          if (key !== 'load') return Reflect.get(target, key, receiver);
          return (value: string) => {
            counter.loads++;
            return target.load(value);
          };
        },
      }) as BoundStorage;
    },
  };
  return { storage, counter };
}

const { storage, counter } = countingStorage();
const kit = createSessionKit<Data>({ storage });
const guard = kit.guard({ protect: ['/dashboard'], loginPath: '/login' });

async function login(user: string): Promise<string> {
  const res = await withSessionRequest({}, async () => {
    const s = await kit.newSession({ userId: user });
    s.set('user', user);
    await s.save();
  });
  return res.cookies.session ?? '';
}

const cookies: Record<Sender, string | undefined> = {
  ada: await login('ada'),
  grace: await login('grace'),
  none: undefined,
  garbage: 'x'.repeat(64),
};

/** The id the guard forwards for a request with `cookie` (its entry waits in the registry). */
async function passGuard(cookie: string): Promise<string> {
  const incoming = new NextRequest(new URL('/dashboard', 'http://app.test'), {
    headers: { cookie: `session=${cookie}` },
  });
  const id = renderOf(await guard(incoming), incoming).headers.get(HAND_OFF_HEADER);
  if (id === null) throw new Error('the guard handed nothing over');
  return id;
}

/** Live ids of Ada's and Grace's requests, one already taken, one expired. */
async function entries(): Promise<Record<'ada' | 'grace' | 'taken' | 'expired', string>> {
  const ada = await passGuard(cookies.ada ?? '');
  const grace = await passGuard(cookies.grace ?? '');
  const taken = await passGuard(cookies.ada ?? '');
  await withSessionRequest(
    { cookies: { session: cookies.ada ?? '' }, headers: { [HAND_OFF_HEADER]: taken } },
    () => kit.getSession(),
  );
  const now = performance.now();
  const clock = vi.spyOn(performance, 'now').mockReturnValue(now - 60_000);
  const expired = await passGuard(cookies.ada ?? '');
  clock.mockRestore();
  return { ada, grace, taken, expired };
}

interface Seen {
  user: string | null;
  isNew: boolean;
}

function appRouter(cookie: string | undefined, id: string): Promise<Seen> {
  return withSessionRequest(
    {
      cookies: cookie === undefined ? {} : { session: cookie },
      headers: { [HAND_OFF_HEADER]: id },
      readOnly: true,
    },
    async () => {
      const s = await kit.getSession();
      return { user: s.get('user') ?? null, isNew: s.isNew };
    },
  ).then((res) => {
    if (res.result === undefined) throw new Error('the request failed');
    return res.result;
  });
}

// Node's own request shape, as Pages Router handlers get it (a header may repeat: an array).
async function pagesRouter(cookie: string | undefined, id: string | string[]): Promise<Seen> {
  const headers: Record<string, string | string[]> = { [HAND_OFF_HEADER]: id };
  if (cookie !== undefined) headers.cookie = `session=${cookie}`;
  const req = { headers, socket: null } as unknown as IncomingMessage;
  const res = {
    headersSent: false,
    writableEnded: false,
    setHeader: () => undefined,
    getHeader: () => undefined,
  } as unknown as ServerResponse;
  const s = await kit.pages(req, res).getSession();
  return { user: s.get('user') ?? null, isNew: s.isNew };
}

function headerValid(value: string): boolean {
  try {
    new Headers({ [HAND_OFF_HEADER]: value });
    return true;
  } catch {
    return false;
  }
}

const idKind: fc.Arbitrary<IdKind> = fc.oneof(
  fc.constantFrom('ada', 'grace', 'taken', 'expired').map((kind) => ({ kind }) as IdKind),
  hostileString(64).map((value) => ({ kind: 'raw', value }) as IdKind),
  fc.stringMatching(/^[0-9a-f]{32}$/).map((value) => ({ kind: 'raw', value }) as IdKind),
  fc
    .constantFrom('', '__proto__', 'constructor', ' ', 'f'.repeat(32))
    .map((value) => ({ kind: 'raw', value }) as IdKind),
);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('hand-off header (fuzz)', () => {
  it('any value, from any sender, to either router: the sender’s own session, loaded as usual unless the entry is its own', async () => {
    await fuzz(
      fc.record({
        sender: fc.constantFrom<Sender>('ada', 'grace', 'none', 'garbage'),
        id: idKind,
        router: fc.constantFrom('app', 'pages'),
        repeated: fc.boolean(),
      }),
      async ({ sender, id, router, repeated }) => {
        const ids = await entries();
        const value = id.kind === 'raw' ? id.value : ids[id.kind];
        const cookie = cookies[sender];
        counter.loads = 0;
        const seen =
          router === 'app' && headerValid(value)
            ? await appRouter(cookie, value)
            : await pagesRouter(cookie, repeated ? [value, value] : value);
        const owner = sender === 'ada' || sender === 'grace' ? sender : null;
        expect(seen).toEqual({ user: owner, isNew: owner === null });
        // Only a request's own live entry, with its own cookie, spares the load.
        // (A header sent twice is no id: Node hands Pages Router code an array.)
        const handed = id.kind === sender && (router === 'app' || !repeated);
        expect(counter.loads).toBe(cookie === undefined || handed ? 0 : 1);
      },
      { weight: 0.5 },
    );
  });
});
