// Read-only detection (src/next/context.ts) rests on Next internals: while a
// server component renders, `cookies()` hands out a sealed jar whose `set`,
// `delete` and `clear` are one shared function that throws. These tests run
// the kit's own checks inside the request stores of the installed Next, built
// by Next's own factories, so a Next upgrade that changes any of that fails
// here, by name, instead of silently turning a refused save into a dropped one.
// First, as `next start` does: gives Next's request storages a real AsyncLocalStorage.
import 'next/dist/server/node-environment-baseline.js';
import { workAsyncStorage } from 'next/dist/server/app-render/work-async-storage.external.js';
import { workUnitAsyncStorage } from 'next/dist/server/app-render/work-unit-async-storage.external.js';
import {
  createRequestStoreForAPI,
  createRequestStoreForRender,
} from 'next/dist/server/async-storage/request-store.js';
import { cookies } from 'next/headers.js';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionReadOnlyError } from '../errors.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import type { CookieWriteOptions } from '../types.ts';
import { canWriteCookies, writableJar } from './context.ts';
import { createSessionKit } from './kit.ts';

type RequestStore = ReturnType<typeof createRequestStoreForRender>;
type Phase = 'render' | 'route handler';

const URL_PARTS = { pathname: '/page', search: '' };
const WRITE: CookieWriteOptions = {
  path: '/',
  sameSite: 'lax',
  secure: true,
  httpOnly: true,
  maxAge: 60,
  expires: new Date(Date.now() + 60_000),
};

afterEach(() => {
  vi.unstubAllEnvs();
});

/** Next's own request store for a page render or a Route Handler / Server Action, with a Cookie header. */
function requestStore(phase: Phase, cookieHeader = 'other=1'): RequestStore {
  const req = { headers: { cookie: cookieHeader } } as unknown as Parameters<
    typeof createRequestStoreForRender
  >[0];
  return phase === 'render'
    ? createRequestStoreForRender(
        req,
        undefined,
        URL_PARTS,
        {},
        undefined as never,
        undefined,
        undefined,
        false,
        undefined,
        null,
        null,
        undefined,
      )
    : createRequestStoreForAPI(req, URL_PARTS, undefined as never, undefined, undefined, undefined);
}

/** Runs `fn` as Next runs app code: inside a work store and a request work-unit store. */
function inNextRequest<T>(store: RequestStore, fn: () => Promise<T>): Promise<T> {
  // Only what cookies() and headers() read of a work store.
  const work = { route: '/page', forceStatic: false, dynamicShouldError: false, isStaticGeneration: false };
  return workAsyncStorage.run(work as never, () => workUnitAsyncStorage.run(store, fn));
}

describe("Next's cookies(), as the installed version hands it out", () => {
  it('while a server component renders: set, delete and clear are one shared function that throws', async () => {
    const jar = await inNextRequest(requestStore('render'), () => cookies());
    expect(jar.set, 'the identity test in canWriteCookies() / writableJar()').toBe(jar.delete);
    expect((jar as unknown as { clear: unknown }).clear).toBe(jar.set);
    // writableJar() maps this message to SessionReadOnlyError if the identity test ever misses.
    expect(() => jar.set('session', 'x')).toThrow(/Cookies can only be modified/);
    expect(jar.get('other')?.value, 'reads still work').toBe('1');
  });

  it('in a Route Handler or Server Action: set and delete differ, and a set is visible to get', async () => {
    const jar = await inNextRequest(requestStore('route handler'), () => cookies());
    expect(jar.set).not.toBe(jar.delete);
    jar.set('session', 'sealed-value', { httpOnly: true, path: '/' });
    expect(jar.get('session')?.value).toBe('sealed-value');
  });
});

describe('read-only detection inside a real Next request store', () => {
  it('a render is read-only: canWriteCookies() is false and writableJar() throws SessionReadOnlyError', async () => {
    const store = requestStore('render');
    expect(await inNextRequest(store, () => canWriteCookies())).toBe(false);
    await expect(inNextRequest(store, () => writableJar())).rejects.toBeInstanceOf(SessionReadOnlyError);
  });

  it('a Route Handler is writable, and what it writes reaches the response cookies', async () => {
    const store = requestStore('route handler');
    expect(await inNextRequest(store, () => canWriteCookies())).toBe(true);
    await inNextRequest(store, async () => {
      (await writableJar()).set('session', 'v', WRITE);
    });
    expect(store.mutableCookies.get('session')?.value).toBe('v');
  });

  it('save() of a changed session in a render throws SessionReadOnlyError and writes nothing', async () => {
    const kit = createSessionKit<{ n?: number }>({ storage: simpleCookieStorage(), warnUnsaved: false });
    const store = requestStore('render');
    const error = await inNextRequest(store, async () => {
      const session = await kit.getSession();
      session.set('n', 1);
      return session.save().then(
        () => undefined,
        (e: unknown) => e,
      );
    });
    expect(error).toBeInstanceOf(SessionReadOnlyError);
    expect(store.mutableCookies.get('session'), 'no session cookie written').toBeUndefined();
  });
});

// What a Next upgrade could change, simulated on the real render store: the
// kit must still refuse the write, loudly, rather than report a save that
// never reached the browser.
describe('if Next changes its render-time jar', () => {
  /** The render store's jar replaced by `jar` (Next's own setter for it). */
  function renderStoreWith(make: (sealed: RequestStore['cookies']) => RequestStore['cookies']): RequestStore {
    const store = requestStore('render');
    store.cookies = make(store.cookies);
    return store;
  }

  it('mutators that are distinct functions but still throw Next’s error → SessionReadOnlyError', async () => {
    const store = renderStoreWith((sealed) => {
      const fail = (): never => {
        throw new Error(
          'Cookies can only be modified in a Server Action or Route Handler. Read more: https://nextjs.org/docs',
        );
      };
      return new Proxy(sealed, {
        get: (target, prop, receiver) =>
          prop === 'set'
            ? () => fail()
            : prop === 'delete'
              ? () => fail()
              : Reflect.get(target, prop, receiver),
      });
    });
    await expect(
      inNextRequest(store, async () => (await writableJar()).set('session', 'v', WRITE)),
    ).rejects.toBeInstanceOf(SessionReadOnlyError);
  });

  it('mutators that silently ignore writes → SessionReadOnlyError, never a save reported as done', async () => {
    const store = renderStoreWith(
      (sealed) =>
        new Proxy(sealed, {
          get: (target, prop, receiver) =>
            prop === 'set' || prop === 'delete' ? () => receiver : Reflect.get(target, prop, receiver),
        }),
    );
    await expect(
      inNextRequest(store, async () => (await writableJar()).set('session', 'v', WRITE)),
    ).rejects.toBeInstanceOf(SessionReadOnlyError);
  });
});
