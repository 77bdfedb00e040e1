import { expect, test } from '@playwright/test';
import { type DemoServer, newSecret, startServer } from './server';

// The routes `npm run bench:http` drives (app/bench/, app/api/private/bench/,
// app/api/bench-floor/) ship in the demo's build but must stay invisible
// unless the server runs with BENCH_ROUTES=1, which the demo never sets.
let server: DemoServer;

test.beforeAll(async () => {
  test.setTimeout(60_000); // `next start` (and any store) on a busy machine
  server = await startServer({ secret: newSecret() });
});

test.afterAll(async () => {
  await server?.stop();
});

const GET_ROUTES = ['/bench/baseline', '/bench/nsk', '/bench/iron', '/bench/authjs', '/bench/redis'];
const POST_ROUTES = ['/bench/nsk-write', '/bench/redis-write', '/bench/baseline-write', '/bench/iron-write'];

test('bench routes answer 404 without BENCH_ROUTES=1, whatever the request carries', async ({ request }) => {
  const headers = { cookie: '__Host-nsk=x; __Host-session=y', 'x-bench-size': '1KB' };
  for (const path of GET_ROUTES) {
    const response = await request.get(server.url(path), { headers });
    expect(response.status(), path).toBe(404);
  }
  for (const path of POST_ROUTES) {
    const response = await request.post(server.url(path), { headers: { ...headers, origin: server.origin } });
    expect(response.status(), path).toBe(404);
  }
});

test('the guarded bench path is still behind the guard, then 404', async () => {
  // Plain fetch: no cookie jar, the Cookie header is exactly what is sent.
  const signedOut = await fetch(server.url('/api/private/bench'));
  expect(signedOut.status).toBe(401);
  expect(await signedOut.json()).toEqual({ error: 'unauthenticated' });

  const login = await fetch(server.url('/api/load'), {
    method: 'POST',
    body: JSON.stringify({ login: 'bench-e2e' }),
    headers: { origin: server.origin, 'content-type': 'application/json' },
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  expect(cookie).toMatch(/^__Host-session=/);
  const signedIn = await fetch(server.url('/api/private/bench'), { headers: { cookie } });
  expect(signedIn.status).toBe(404);
  const session = await fetch(server.url('/api/private/bench/session'), { headers: { cookie } });
  expect(session.status).toBe(404);
  const signedOutSession = await fetch(server.url('/api/private/bench/session'));
  expect(signedOutSession.status).toBe(401);
});

test("the no-op proxy branch (the guard's floor) lets through only its two bench-only paths, both 404", async () => {
  // proxy.ts passes exactly these two paths on without the guard: they must
  // answer nothing, signed in or not, and accept no other method.
  for (const path of ['/api/bench-floor', '/api/bench-floor/session']) {
    expect((await fetch(server.url(path))).status, path).toBe(404);
    const post = await fetch(server.url(path), {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect([404, 405], `POST ${path}`).toContain(post.status);
  }
  // Anything next to them is still guarded: a cross-site POST meets the CSRF check.
  const crossSite = await fetch(server.url('/api/bench-floor/x'), {
    method: 'POST',
    headers: { origin: 'https://evil.example' },
  });
  expect(crossSite.status).toBe(403);
});
