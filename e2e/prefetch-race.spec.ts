import { expect, type Page, test } from '@playwright/test';
import { DOCUMENT, type RequestShape, ROUTER_FETCH } from '../src/test-utils/request-shapes.ts';
import { COOKIE, increment, sessionCookie, submitLogin, tamper } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type Storage, type StoreServer, startStore } from './stores';

// A request the browser sent with the cookie from before a login, answered
// after the login's response: Next's router prefetches the visible links all
// the time, and the proxy sees them without the headers that mark them as
// prefetches (Next 16 strips `rsc` and `next-router-prefetch` first). Any
// session cookie in that late response replaces the login's in the browser:
// a cleared dead token signs the user out, a re-sealed old session brings the
// visitor's session back. Sent here deterministically, after the login.

// Refresh interval: a tenth of the idle timeout, 3 s; the user stays active well within 30 s.
const IDLE_S = 30;
const REFRESH_MS = 3_000;

/** `shape` for `path`, carrying `cookie` as the session, as Chromium sends it to this server. */
async function send(server: DemoServer, shape: RequestShape, path: string, cookie: string) {
  const headers: Record<string, string> = { ...shape.headers, cookie: `${COOKIE}=${cookie}` };
  if (headers.referer !== undefined) headers.referer = server.url('/');
  const response = await fetch(server.url(path), { method: shape.method, headers, redirect: 'manual' });
  await response.arrayBuffer();
  return response;
}

/** The `Set-Cookie` lines of a response that touch the session cookie (or its chunks). */
function sessionWrites(response: Response): string[] {
  return response.headers.getSetCookie().filter((line) => /^(?:__Host-)?session(?:\.\d+)?=/.test(line));
}

async function signIn(page: Page, server: DemoServer, name: string): Promise<void> {
  await page.goto(server.url('/login'));
  await submitLogin(page, name);
  await page.waitForURL(server.url('/'));
  await expect(page.getByTestId('session-user')).toHaveText(`Signed in as ${name}`);
}

const CASES: ReadonlyArray<{ storage: Storage; what: string }> = [
  { storage: 'kv', what: 'its token, deleted by the login' },
  { storage: 'cookie', what: 'the visitor session, due a refresh, and the same cookie tampered' },
];

for (const { storage, what } of CASES) {
  test.describe(`${storage} storage`, () => {
    let store: StoreServer | undefined;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // `next start` (and any store) on a busy machine
      store = await startStore(storage);
      server = await startServer({
        secret: newSecret(),
        env: { ...store.env, SESSION_IDLE_TIMEOUT: String(IDLE_S) },
      });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test(`a router fetch with the cookie from before the login sets no cookie (${what})`, async ({
      page,
      context,
    }) => {
      await page.goto(server.url('/'));
      await increment(page); // a visitor session: the cookie from before the login
      const visitor = (await sessionCookie(context)).value;
      const visitorSavedAt = Date.now();
      await signIn(page, server, 'ada');
      const login = (await sessionCookie(context)).value;
      expect(login).not.toBe(visitor);
      // Past the refresh interval, so a cookie storage would re-issue the visitor's cookie.
      await page.waitForTimeout(Math.max(0, visitorSavedAt + REFRESH_MS + 500 - Date.now()));

      const stale = storage === 'cookie' ? [visitor, tamper(visitor)] : [visitor];
      for (const cookie of stale) {
        for (const path of ['/', '/dashboard', '/sessions', '/login']) {
          const response = await send(server, ROUTER_FETCH, path, cookie);
          expect(response.status, path).toBeLessThan(400);
          expect(sessionWrites(response), `${path}: nothing may replace the login's cookie`).toEqual([]);
        }
        // The same cookie on a page load does get a cookie: it was due a refresh, or rejected.
        const loaded = await send(server, DOCUMENT, '/', cookie);
        const main = sessionWrites(loaded).filter((line) => line.startsWith(`${COOKIE}=`));
        expect(main, 'a page load writes').toHaveLength(1);
      }

      expect((await sessionCookie(context)).value).toBe(login);
      await page.reload();
      await expect(page.getByTestId('session-user')).toHaveText('Signed in as ada');
    });
  });
}
