import { expect, type Page, test } from '@playwright/test';
import { ensurePython, fernetKey, type PythonApp, startPythonApp } from '../test/aiohttp/python.ts';
import { freePort } from '../test/servers/ports.ts';
import { increment, readHome } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// One login shared with a real Python app: test/aiohttp/app.py runs Debian's aiohttp-session with
// RedisStorage(max_age=600) under /redis/, and the demo runs SESSION_STORAGE=aiohttp-redis on the
// same redis-server. Cookies belong to the host, not the port, so the browser sends aiohttp-session's
// cookie to both apps.
const COOKIE = 'AIOHTTP_SESSION';
const PYTHON_MAX_AGE = 600;

interface PythonSession {
  new: boolean;
  data: Record<string, unknown>;
}

/** What the Python app says about the browser's session, read by the browser itself. */
async function pythonSession(page: Page, python: PythonApp): Promise<PythonSession> {
  const response = await page.goto(`${python.url}/redis/get`);
  expect(response?.status()).toBe(200);
  return (await response?.json()) as PythonSession;
}

test.describe('aiohttp-redis storage', () => {
  let store: StoreServer | undefined;
  let python: PythonApp | undefined;
  let server: DemoServer | undefined;

  test.beforeAll(async () => {
    test.setTimeout(60_000); // redis, Python and `next start` on a busy machine
    ensurePython();
    store = await startStore('redis');
    const redisUrl = `redis://127.0.0.1:${store.port}`;
    // app.py also serves memcached and Fernet sub-apps this test never calls (its memcached client
    // connects on first use, so a closed port is fine).
    python = await startPythonApp(await freePort(), redisUrl, '127.0.0.1:9', fernetKey());
    server = await startServer({
      secret: newSecret(),
      env: {
        SESSION_STORAGE: 'aiohttp-redis',
        REDIS_URL: redisUrl,
        SESSION_MAX_AGE: String(PYTHON_MAX_AGE),
      },
    });
  });

  test.afterAll(async () => {
    await server?.stop();
    python?.stop();
    await store?.stop();
  });

  test("the Python app's login is seen by the Next app, and the other way round", async ({
    page,
    context,
  }) => {
    if (server === undefined || python === undefined) throw new Error('servers did not start');

    // Signed in by Python (aiohttp-session's new_session()), through the browser's own cookie jar.
    const login = await page.request.post(`${python.url}/redis/login`, { data: { user: 'ada' } });
    expect(login.status()).toBe(200);
    const [pythonCookie] = (await context.cookies()).filter((c) => c.name === COOKIE);
    expect(pythonCookie?.value, "aiohttp-session's cookie holds a bare 32-hex id").toMatch(/^[0-9a-f]{32}$/);

    await page.goto(server.url('/'));
    await expect(page.getByTestId('storage-name')).toHaveText('aiohttp-redis');
    await expect(page.getByTestId('session-user')).toHaveText('Signed in as ada');
    await expect(page.getByTestId('header-user')).toHaveText('User: ada');
    expect((await readHome(page)).isNew).toBe(false);

    // A change saved by Next is read by Python, in the same session.
    expect(await increment(page)).toBe(1);
    const [afterSave] = (await context.cookies()).filter((c) => c.name === COOKIE);
    expect(afterSave?.value, 'the same session, not a new one').toBe(pythonCookie?.value);
    expect(await pythonSession(page, python)).toMatchObject({ new: false, data: { user: 'ada', count: 1 } });

    // Logout on the Next side ends the session for Python too.
    await page.goto(server.url('/'));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(server.url('/login'));
    expect((await context.cookies()).filter((c) => c.name === COOKIE)).toHaveLength(0);
    await context.addCookies([{ ...(pythonCookie as NonNullable<typeof pythonCookie>) }]);
    expect(await pythonSession(page, python), 'the record is gone: Python starts afresh').toMatchObject({
      new: true,
      data: {},
    });
  });
});
