// createSessionKit({ events }): each event, what it carries (and never
// carries), and that a throwing or slow handler neither breaks nor holds up
// the request.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestBrowser } from './entries/testing.ts';
import { SessionConfigError, SessionStoreError } from './errors.ts';
import type { SessionEventHandlers, SessionEvents } from './events.ts';
import { createSessionKit } from './next/kit.ts';
import { encryptedCookieStorage } from './storage/encrypted-cookie.ts';
import { memoryStorage } from './storage/memory-storage.ts';
import type { SessionStorage } from './storage/types.ts';

type Event = SessionEvents[keyof SessionEvents];
const SECRET_DATA = 'data-value-never-in-events';

function recording() {
  const seen: Event[] = [];
  const push = (event: Event) => void seen.push(event);
  const handlers: SessionEventHandlers = {
    login: push,
    logout: push,
    rotate: push,
    revoke: push,
    invalid: push,
    storeError: push,
  };
  return { seen, handlers };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('events', () => {
  it('login, rotate, revoke and logout carry the user id and the public ref, and nothing else', async () => {
    const { seen, handlers } = recording();
    const kit = createSessionKit({ storage: memoryStorage(), events: handlers });
    const browser = createTestBrowser();
    const first = await browser.request(async () => {
      const s = await kit.newSession({ userId: 'ada', persistent: false });
      s.set('secret', SECRET_DATA);
      await s.save();
      // Called after the fact: nothing was delivered while the request ran.
      expect(seen).toEqual([]);
      return (await kit.listUserSessions('ada'))[0]?.ref;
    });
    expect(seen).toEqual([{ type: 'login', userId: 'ada', ref: first.result, persistent: false }]);

    seen.length = 0;
    const second = await browser.request(async () => {
      const s = await kit.newSession({ userId: 'ada' });
      s.set('secret', SECRET_DATA);
      await s.save();
      return (await kit.listUserSessions('ada'))[0]?.ref;
    });
    expect(seen).toEqual([
      { type: 'login', userId: 'ada', ref: second.result, persistent: true },
      { type: 'rotate', userId: 'ada', ref: second.result, previousRef: first.result },
    ]);

    seen.length = 0;
    const other = createTestBrowser();
    await other.request(async () => {
      const s = await kit.newSession({ userId: 'ada' });
      await s.save();
    });
    await browser.request(() => kit.destroyUserSessions('ada', { except: [second.result ?? ''] }));
    expect(seen.at(-1)).toEqual({ type: 'revoke', userId: 'ada', count: 1 });

    seen.length = 0;
    await browser.request(() => kit.destroySession());
    expect(seen).toEqual([{ type: 'logout', userId: 'ada', ref: second.result }]);

    // Never a token, a cookie value or session data.
    const cookieValues = [
      ...browser.cookies.values(),
      ...other.cookies.values(),
      ...Object.values(first.cookies),
    ];
    const text = JSON.stringify(seen);
    for (const value of [SECRET_DATA, ...cookieValues]) expect(text).not.toContain(value);
  });

  it('events never contain tokens, cookie values or session data', async () => {
    const { seen, handlers } = recording();
    const kit = createSessionKit({ storage: memoryStorage(), events: handlers });
    const browser = createTestBrowser();
    const cookies: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await browser.request(async () => {
        const s = await kit.newSession({ userId: `user-${i}` });
        s.set('secret', SECRET_DATA);
        await s.save();
      });
      cookies.push(...Object.values(response.cookies));
    }
    await browser.request(() => kit.destroyUserSessions('user-0'));
    await browser.request(() => kit.destroySession());
    expect(seen.length).toBeGreaterThan(4);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(SECRET_DATA);
    for (const value of cookies) expect(text).not.toContain(value);
  });

  it('invalid fires with onInvalidSession, which works as before', async () => {
    const { seen, handlers } = recording();
    const hook = vi.fn();
    const kit = createSessionKit({
      storage: encryptedCookieStorage({ secret: 'kR7#pW2!vN9$xL4@mQ8&zT3*bY6^cH1%' }),
      onInvalidSession: hook,
      events: handlers,
    });
    const browser = createTestBrowser();
    browser.cookies.set('session', 'tampered.value');
    await browser.request(async () => {
      await kit.getSession();
      expect(hook).toHaveBeenCalledWith('invalid'); // synchronously, as before
    });
    expect(seen).toEqual([{ type: 'invalid', reason: 'invalid' }]);
  });

  it('storeError reports a failing store without its keys or tokens, and the request still gets the error', async () => {
    const { seen, handlers } = recording();
    const base = memoryStorage();
    const flaky: SessionStorage = {
      name: 'flaky',
      create(context) {
        const bound = base.create(context);
        return {
          ...bound,
          load: async () => {
            throw new SessionStoreError('The session store (flaky) failed during load.', {
              cause: new Error('GET sess:secret-key'),
            });
          },
        };
      },
    };
    const kit = createSessionKit({ storage: flaky, events: handlers });
    const browser = createTestBrowser();
    browser.cookies.set('session', 'A'.repeat(43));
    await expect(browser.request(() => kit.getSession())).rejects.toThrow(SessionStoreError);
    expect(seen).toEqual([
      {
        type: 'storeError',
        storage: 'flaky',
        during: 'load',
        message: 'The session store (flaky) failed during load.',
      },
    ]);
    expect(JSON.stringify(seen)).not.toContain('secret-key');
  });

  it('a throwing handler never breaks the request; its error is reported once, not thrown', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const kit = createSessionKit({
      storage: memoryStorage(),
      events: {
        login: () => {
          throw new Error('audit log down');
        },
        rotate: () => Promise.reject(new Error('queue full')),
      },
    });
    const browser = createTestBrowser();
    for (let i = 0; i < 2; i++) {
      const response = await browser.request(async () => {
        const s = await kit.newSession({ userId: 'ada' });
        await s.save();
        return 'done';
      });
      expect(response.result).toBe('done');
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
    // Two logins (each reported once) and one rotation.
    expect(error.mock.calls.map((call) => call[0])).toEqual([
      'next-session-kit: the login event handler failed',
      'next-session-kit: the login event handler failed',
      'next-session-kit: the rotate event handler failed',
    ]);
  });

  it('a slow handler never holds the request up: its promise is not awaited', async () => {
    let called = false;
    const kit = createSessionKit({
      storage: memoryStorage(),
      events: {
        login: () => {
          called = true;
          return new Promise<void>(() => {}); // never settles
        },
      },
    });
    const response = await createTestBrowser().request(async () => {
      const s = await kit.newSession({ userId: 'ada' });
      await s.save();
      return 'done';
    });
    expect(response.result).toBe('done');
    expect(called).toBe(true);
  });

  it('refuses an unknown event or a handler that is not a function, at creation', () => {
    expect(() =>
      createSessionKit({ storage: memoryStorage(), events: { signIn: () => {} } as SessionEventHandlers }),
    ).toThrow(SessionConfigError);
    expect(() =>
      createSessionKit({
        storage: memoryStorage(),
        events: { login: 'audit' } as unknown as SessionEventHandlers,
      }),
    ).toThrow(SessionConfigError);
  });
});
