import { createHash, randomBytes } from 'node:crypto';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { increment, login, readHome, sessionCookie, setSessionCookieValue } from './helpers';
import { type DemoServer, newSecret, startServer } from './server';
import { type StoreServer, startStore } from './stores';

// The kit's events (`createSessionKit({ events })`) and OpenTelemetry spans,
// from a real browser against `next start`. The demo records every event it
// is given, as given (DEMO_CHECKS=1, app/lib/event-log.ts), and with
// DEMO_TRACE=1 registers a tracer provider with the SDK's in-memory exporter
// (instrumentation.ts); /checks/events and /checks/spans return them.
// Events arrive after the response (Next's `after()`): every read polls.

/** An event as /checks/events returns it (JSON: fields the kit left undefined are absent). */
interface SeenEvent {
  type: string;
  userId?: string;
  ref?: string;
  previousRef?: string;
  persistent?: boolean;
  reason?: string;
  source?: string;
  count?: number;
  storage?: string;
  during?: string;
  message?: string;
}

/** A finished span as /checks/spans returns it. */
interface SeenSpan {
  name: string;
  spanId: string;
  parentSpanId?: string;
  status: number;
  attributes: Record<string, unknown>;
}

// Every field each event may have (src/events.ts): anything else would be something the kit leaks.
const EVENT_FIELDS: Record<string, readonly string[]> = {
  login: ['type', 'userId', 'ref', 'persistent'],
  logout: ['type', 'userId', 'ref'],
  rotate: ['type', 'userId', 'ref', 'previousRef'],
  revoke: ['type', 'userId', 'count'],
  invalid: ['type', 'reason', 'source'],
  storeError: ['type', 'storage', 'during', 'message'],
};
const SPAN_ATTRIBUTES = [
  'session.storage',
  'session.outcome',
  'session.round_trips',
  'session.store.operation',
];

// Generous: under load on a shared machine; the poll returns as soon as the event is there.
const DELIVERY_TIMEOUT_MS = 15_000;

const unique = (prefix: string) => `${prefix}-${randomBytes(6).toString('hex')}`;

/**
 * The check routes are read with Node's fetch, without the browser's cookies
 * (a read must not itself be a session event). Not Playwright's request
 * context: it reuses a kept-alive connection even when the server is just
 * closing it after its idle timeout (a read after a few seconds of browser
 * steps can then fail with ECONNRESET); fetch retires such connections early.
 */
async function check(server: DemoServer, path: string, method: 'GET' | 'DELETE' = 'GET'): Promise<Response> {
  // Same-origin, as the guard's CSRF check wants of a DELETE.
  return fetch(server.url(path), { method, headers: { origin: server.origin }, cache: 'no-store' });
}

async function eventsJson(server: DemoServer): Promise<string> {
  const response = await check(server, '/checks/events');
  expect(response.status).toBe(200);
  return response.text();
}

async function events(server: DemoServer): Promise<SeenEvent[]> {
  return (JSON.parse(await eventsJson(server)) as { events: SeenEvent[] }).events;
}

/** Polls /checks/events until `match` finds events (after()-delivered), and returns them. */
async function waitForEvents(
  server: DemoServer,
  what: string,
  match: (event: SeenEvent) => boolean,
): Promise<SeenEvent[]> {
  let found: SeenEvent[] = [];
  await expect
    .poll(
      async () => {
        found = (await events(server)).filter(match);
        return found.length;
      },
      { message: `waiting for ${what}`, timeout: DELIVERY_TIMEOUT_MS },
    )
    .toBeGreaterThan(0);
  return found;
}

/**
 * The whole log: every event has only its documented fields, and none of
 * `secrets` (cookie values, tokens, session data) appears anywhere in it.
 */
async function expectNothingSecret(server: DemoServer, secrets: string[]) {
  const json = await eventsJson(server);
  secrets = withStoreKeys(secrets);
  for (const event of (JSON.parse(json) as { events: SeenEvent[] }).events) {
    const allowed = EVENT_FIELDS[event.type];
    expect(allowed, `unknown event type ${event.type}`).toBeDefined();
    for (const key of Object.keys(event)) expect(allowed, `${event.type} event field`).toContain(key);
  }
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(json).not.toContain(secret);
  }
}

/** Each secret and its SHA-256 (base64url): on a store, a token's record key. */
function withStoreKeys(secrets: string[]): string[] {
  return secrets.flatMap((secret) => [secret, createHash('sha256').update(secret).digest('base64url')]);
}

async function clearEvents(server: DemoServer): Promise<void> {
  expect((await check(server, '/checks/events', 'DELETE')).status).toBe(204);
}

/** Renames the signed-in user on `/` (the session's `user` data; the user id stays). */
async function rename(page: Page, name: string): Promise<void> {
  await page.getByLabel('Display name').fill(name);
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByTestId('session-user')).toHaveText(`Signed in as ${name}`);
}

/** One character changed in the middle: a forged JWE on the cookie storage, a token never issued on a store. */
function flipMiddle(value: string): string {
  const i = Math.floor(value.length / 2);
  return value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
}

async function cookieValue(context: BrowserContext): Promise<string> {
  return (await sessionCookie(context)).value;
}

for (const storage of ['cookie', 'redis'] as const) {
  test.describe(`session events on ${storage}`, () => {
    const onStore = storage !== 'cookie';
    let store: StoreServer;
    let server: DemoServer;

    test.beforeAll(async () => {
      test.setTimeout(60_000); // `next start` (and the store) on a busy machine
      store = await startStore(storage);
      // Spans are recorded on the store (DEMO_TRACE=1), where store calls have spans of their own.
      const env = { ...store.env, DEMO_CHECKS: '1', ...(onStore && { DEMO_TRACE: '1' }) };
      server = await startServer({ env, secret: newSecret() });
    });

    test.afterAll(async () => {
      await server?.stop();
      await store?.stop();
    });

    test('sign-in, rotation, logout and a tampered cookie arrive as events with ids only, never a secret', async ({
      page,
      context,
    }) => {
      await clearEvents(server);
      const user = unique('events');
      const secrets: string[] = [];

      // An anonymous session with data: the sign-in replaces it.
      await page.goto(server.url('/'));
      await increment(page);
      const anonymous = await readHome(page);
      secrets.push(await cookieValue(context));

      await login(page, server.origin, user);
      const signedIn = await readHome(page);
      secrets.push(await cookieValue(context));
      const ref = onStore ? signedIn.id : undefined;
      const previousRef = onStore ? anonymous.id : undefined;

      const [loggedIn] = await waitForEvents(
        server,
        'the login event',
        (e) => e.type === 'login' && e.userId === user,
      );
      // The demo's login form has "Remember me" ticked by default.
      expect(loggedIn).toEqual({ type: 'login', userId: user, ref, persistent: true });
      const rotated = await waitForEvents(
        server,
        'the rotate event',
        (e) => e.type === 'rotate' && e.userId === user,
      );
      expect(rotated).toEqual([{ type: 'rotate', userId: user, ref, previousRef }]);
      // On a store the refs are the public session ids (what /sessions shows), not the cookie's token.
      if (onStore) expect(ref).not.toBe(secrets[1]);

      // Session data the events must never carry.
      const data = unique('private-display-name');
      secrets.push(data);
      await rename(page, data);
      const beforeLogout = await sessionCookie(context);
      secrets.push(beforeLogout.value);

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(server.url('/login'));
      const loggedOut = await waitForEvents(
        server,
        'the logout event',
        (e) => e.type === 'logout' && e.userId === user,
      );
      expect(loggedOut).toEqual([{ type: 'logout', userId: user, ref }]);

      // The last cookie, one character changed: a forged seal on the cookie storage (`invalid`);
      // on a store a well-formed token that was never issued (`expired`: gone, or never there).
      const forged = flipMiddle(beforeLogout.value);
      secrets.push(forged);
      await setSessionCookieValue(context, beforeLogout, forged);
      const response = await page.goto(server.url('/'));
      expect(response?.status(), 'no 500 for a forged cookie').toBe(200);
      expect(await readHome(page)).toMatchObject({ user: 'Not signed in', isNew: true });
      const reason = onStore ? 'expired' : 'invalid';
      const refused = await waitForEvents(
        server,
        `an invalid event (${reason})`,
        (e) => e.type === 'invalid',
      );
      // The guard and the page may each report the same cookie: each report is this one.
      for (const event of refused) expect(event).toEqual({ type: 'invalid', reason });

      await expectNothingSecret(server, secrets);
    });

    if (!onStore) {
      test('spans are not recorded without DEMO_TRACE=1', async () => {
        expect((await check(server, '/checks/spans')).status).toBe(404);
      });
      return;
    }

    test('"Sign out" on another device\'s row is a revoke event for that user', async ({ page, browser }) => {
      const user = unique('revoke');
      const laptop = await browser.newContext();
      try {
        const other = await laptop.newPage();
        await login(other, server.origin, user);
        const theirs = await readHome(other);
        const theirCookie = await cookieValue(laptop);
        await login(page, server.origin, user);
        const mine = await cookieValue(page.context());

        await page.goto(server.url('/sessions'));
        const row = page.getByTestId('session-row').filter({ hasText: theirs.id });
        await row.getByRole('button', { name: 'Sign out' }).click();
        await expect(page.getByTestId('session-row')).toHaveCount(1);

        const revoked = await waitForEvents(
          server,
          'the revoke event',
          (e) => e.type === 'revoke' && e.userId === user,
        );
        expect(revoked).toEqual([{ type: 'revoke', userId: user, count: 1 }]);
        // Signing out another device is not a logout of this one.
        expect((await events(server)).filter((e) => e.type === 'logout' && e.userId === user)).toEqual([]);
        await expectNothingSecret(server, [theirCookie, mine]);
      } finally {
        await laptop.close();
      }
    });

    test('a store outage answers 503 and is a storeError event naming the storage, not the session', async ({
      page,
      context,
    }) => {
      const user = unique('outage');
      await login(page, server.origin, user);
      const cookie = await cookieValue(context);
      // Delivered before the log is cleared: only this outage's events are read below.
      await waitForEvents(server, 'the login event', (e) => e.type === 'login' && e.userId === user);
      await clearEvents(server);
      await store.stop();
      try {
        const down = await page.request.get(server.url('/api/session'));
        expect(down.status()).toBe(503);
        const failures = await waitForEvents(server, 'the storeError event', (e) => e.type === 'storeError');
        for (const failed of failures) {
          // The guard's load in proxy.ts failed: the kit's own message, not the session it was loading.
          expect(failed).toEqual({
            type: 'storeError',
            storage: 'redis',
            during: 'load',
            message: expect.any(String),
          });
          expect(JSON.stringify(failed)).not.toContain(user);
        }
        await expectNothingSecret(server, [cookie]);
      } finally {
        await store.restart();
      }
      // Back: the request goes through again (the restarted redis-server kept nothing).
      await expect
        .poll(async () => (await page.request.get(server.url('/api/session'))).status(), {
          timeout: DELIVERY_TIMEOUT_MS,
        })
        .toBe(200);
    });

    test('a signed-in page load has a session.load span with its store calls, and no id or data in any attribute', async ({
      page,
      context,
    }) => {
      const user = unique('traced');
      await login(page, server.origin, user);
      const data = unique('traced-display-name');
      await rename(page, data);
      const shown = await readHome(page);
      const cookie = await cookieValue(context);

      expect((await check(server, '/checks/spans', 'DELETE')).status).toBe(204);
      const response = await page.goto(server.url('/'));
      expect(response?.status()).toBe(200);
      expect(await readHome(page)).toMatchObject({ id: shown.id, user: `Signed in as ${data}` });

      // Spans end with the work they cover, before or just after the response: poll.
      let spans: SeenSpan[] = [];
      let loads: SeenSpan[] = [];
      await expect
        .poll(
          async () => {
            const listed = await check(server, '/checks/spans');
            expect(listed.status).toBe(200);
            spans = ((await listed.json()) as { spans: SeenSpan[] }).spans;
            loads = spans.filter(
              (s) => s.name === 'session.load' && s.attributes['session.outcome'] === 'found',
            );
            return loads.length;
          },
          {
            message: 'waiting for a session.load span of the signed-in session',
            timeout: DELIVERY_TIMEOUT_MS,
          },
        )
        .toBeGreaterThan(0);

      for (const load of loads) {
        expect(load.attributes).toMatchObject({ 'session.storage': 'redis', 'session.outcome': 'found' });
        expect(load.status).not.toBe(2);
        // Every store call inside the load is a child span, and the load counts them as round trips.
        const calls = spans.filter((s) => s.parentSpanId === load.spanId);
        expect(calls.length).toBeGreaterThan(0);
        expect(load.attributes['session.round_trips']).toBe(calls.length);
        for (const call of calls) {
          expect(call.name).toMatch(/^session\.store\./);
          expect(call.attributes).toMatchObject({ 'session.storage': 'redis', 'session.outcome': 'ok' });
          expect(call.name).toBe(`session.store.${call.attributes['session.store.operation']}`);
        }
      }

      // Only the kit's attributes, and none of them an identifier, a token or data.
      const values = spans.flatMap((s) => Object.values(s.attributes).map(String));
      for (const span of spans) {
        for (const key of Object.keys(span.attributes)) expect(SPAN_ATTRIBUTES).toContain(key);
      }
      for (const secret of withStoreKeys([cookie, user, data, shown.id])) {
        for (const value of values) expect(value).not.toContain(secret);
      }
    });
  });
}
