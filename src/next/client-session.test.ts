// The server half of client access (getClientSession, SessionProvider) on a
// real engine and cookie storage, rendered with react-dom/server; and the
// typing of `expose`, checked by `tsc --noEmit -p .` (`@ts-expect-error`
// proves a wrong key is a compile error).
import { createElement, type ReactElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SessionClientProvider, useSession } from '../entries/client.ts';
import { withSessionRequest } from '../entries/testing.ts';
import { SessionConfigError, SessionStoreError } from '../errors.ts';
import { createSessionKit, type ExposedOf, type Session } from '../index.ts';
import type { SessionImpl } from '../session.ts';
import { encryptedCookieStorage } from '../storage/encrypted-cookie.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Harness } from '../test-utils/harness.ts';
import { createClientAccess } from './client-access.ts';
import { refreshAfterSave } from './refresh.ts';

type Data = { user?: string; role?: 'admin' | 'member'; theme?: 'light' | 'dark'; cart?: string[] };

const SECRET = 'a-test-secret-that-is-long-enough-0001';

/** A saved, reloaded session with every field set, and its cookie value. */
async function signedIn(expose: unknown) {
  const h = new Harness<Data>({
    storage: encryptedCookieStorage({ secret: SECRET }),
    expose: expose as ['user'],
  });
  const browser = new TestBrowser();
  await h.request(browser, async (_s, { newSession }) => {
    const s = newSession('user-42');
    s.set('user', 'ada');
    s.set('role', 'admin');
    s.set('theme', 'dark');
    s.set('cart', ['book-1']);
    await s.save();
  });
  const cookie = browser.cookies.get('session');
  if (cookie === undefined) throw new Error('no session cookie');
  const session = await h.request(browser, (s) => s);
  return { h, session, cookie };
}

function Greeting(): ReactElement {
  const { user, role } = useSession<{ user?: string; role?: string }>();
  return createElement('p', null, `user=${user ?? '-'} role=${role ?? '-'}`);
}

const typedKit = createSessionKit<Data, { notice?: string }, Pick<Data, 'user'>>({
  storage: simpleCookieStorage(),
  expose: ['user'],
});

// Type-checked, never rendered: useSession() typed by the kit's exposed type.
function TypedBadge(): null {
  const client = useSession<ExposedOf<typeof typedKit>>();
  expectTypeOf(client.user).toEqualTypeOf<string | undefined>();
  // @ts-expect-error not exposed
  void client.role;
  return null;
}

describe('getClientSession', () => {
  it('returns only the exposed fields: no id, token, cookie value, user id or timestamps', async () => {
    const { h, session, cookie } = await signedIn(['user', 'theme']);
    const access = createClientAccess(h.engine.options.expose, async () => session);
    const snapshot = await access.getClientSession();
    expect(snapshot).toEqual({ user: 'ada', theme: 'dark' });

    const json = JSON.stringify(snapshot);
    for (const hidden of [
      'admin',
      'book-1',
      'user-42',
      session.id,
      cookie,
      String(session.createdAt),
      String(session.expiresAt),
    ]) {
      expect(json).not.toContain(hidden);
    }
    const { state } = session as unknown as SessionImpl;
    expect(JSON.stringify(state)).toContain('admin'); // the session itself holds it
  });

  it('a function picks and reshapes; the session data it reads is read-only', async () => {
    const { h, session } = await signedIn((data: Data) => ({
      name: data.user,
      isAdmin: data.role === 'admin',
      items: data.cart?.length ?? 0,
    }));
    const access = createClientAccess(h.engine.options.expose, async () => session);
    expect(await access.getClientSession()).toEqual({ name: 'ada', isAdmin: true, items: 1 });

    const { h: h2, session: s2 } = await signedIn((data: Record<string, unknown>) => {
      data.role = 'member';
      return {};
    });
    const writer = createClientAccess(h2.engine.options.expose, async () => s2);
    await expect(writer.getClientSession()).rejects.toThrow(/read-only/);
  });

  it('a fresh session exposes an empty object', async () => {
    const h = new Harness<Data>({ storage: simpleCookieStorage(), expose: ['user'] });
    const session = await h.request(new TestBrowser(), (s) => s);
    const access = createClientAccess(h.engine.options.expose, async () => session);
    expect(await access.getClientSession()).toEqual({});
  });
});

describe('the kit, through next-session-kit/testing', () => {
  it('getClientSession() and SessionProvider give the exposed fields of the real request session', async () => {
    const kit = createSessionKit<Data, { notice?: string }, Pick<Data, 'user'>>({
      storage: encryptedCookieStorage({ secret: SECRET }),
      expose: ['user'],
    });
    const anonymous = await withSessionRequest({ readOnly: true }, () => kit.getClientSession());
    expect(anonymous.result).toEqual({});

    const login = await withSessionRequest({}, async () => {
      const session = await kit.newSession({ userId: 'user-42' });
      session.set('user', 'ada');
      session.set('role', 'admin');
      session.flash('notice', 'Welcome!');
      await session.save();
    });
    const cookie = login.cookies.session;
    expect(cookie).toBeTruthy();

    const page = await withSessionRequest({ cookies: login.cookies, readOnly: true }, async () => {
      const element = await kit.SessionProvider({ children: createElement(Greeting) });
      return { snapshot: await kit.getClientSession(), html: renderToString(element) };
    });
    expect(page.result?.snapshot).toEqual({ user: 'ada' });
    const html = page.result?.html ?? '';
    expect(html).toContain('user=ada role=-');
    for (const hidden of ['admin', 'user-42', 'Welcome!', cookie ?? '']) expect(html).not.toContain(hidden);
  });
});

describe('SessionProvider', () => {
  it('renders the client provider with the snapshot as its only data prop', async () => {
    const { h, session } = await signedIn(['user']);
    const { SessionProvider } = createClientAccess(h.engine.options.expose, async () => session);
    const element = await SessionProvider({ children: createElement(Greeting) });
    expect(element.type).toBe(SessionClientProvider);
    const props = element.props as Record<string, unknown>;
    expect(Object.keys(props).sort()).toEqual(['children', 'value']);
    expect(props.value).toEqual({ user: 'ada' });
    // What the browser gets: the provider's props serialized, plus the rendered HTML.
    const html = renderToString(element);
    expect(html).toContain('user=ada role=-');
    expect(html).not.toContain('admin');
  });

  it('hands an empty snapshot to client components while the store is down', async () => {
    const { SessionProvider } = createClientAccess(
      (data) => data,
      async (): Promise<Session> => {
        throw new SessionStoreError('Session store unavailable (test)');
      },
    );
    const html = renderToString(await SessionProvider({ children: createElement(Greeting) }));
    expect(html).toContain('user=- role=-');
  });

  it('lets any other error through', async () => {
    const { SessionProvider } = createClientAccess(
      (data) => data,
      async (): Promise<Session> => {
        throw new SessionConfigError('misconfigured');
      },
    );
    await expect(SessionProvider({})).rejects.toThrow('misconfigured');
  });

  it('useSession() without a provider says where to put one', () => {
    expect(() => renderToString(createElement(Greeting))).toThrow(/needs a <SessionProvider>/);
  });

  it('useSession() reads whatever value the provider has now (no copy in state)', () => {
    const render = (value: Record<string, unknown>) =>
      renderToString(createElement(SessionClientProvider, { value }, createElement(Greeting)));
    expect(render({ user: 'ada' })).toContain('user=ada');
    expect(render({ user: 'grace', role: 'member' })).toContain('user=grace role=member');
  });
});

describe('createSessionKit({ expose })', () => {
  it('checks the option at creation', () => {
    const storage = simpleCookieStorage();
    expect(() => createSessionKit({ storage, expose: 'user' as never })).toThrow(SessionConfigError);
    expect(() => createSessionKit({ storage, expose: ['user', 'user'] })).toThrow(/"user" twice/);
    expect(() => createSessionKit({ storage, expose: ['user'] })).not.toThrow();
  });
});

describe('refreshAfterSave', () => {
  it('outside a Server Action (Route Handler, test) does nothing and does not throw', () => {
    expect(() => refreshAfterSave()).not.toThrow();
  });
});

describe('expose typing', () => {
  it('keys must be keys of Data; the exposed type follows the third type argument', () => {
    const storage = simpleCookieStorage();
    const byDefault = createSessionKit<Data>({ storage, expose: ['user', 'theme'] });
    expectTypeOf<ExposedOf<typeof byDefault>>().toEqualTypeOf<Partial<Data>>();

    const picked = createSessionKit<Data, { notice?: string }, Pick<Data, 'user' | 'theme'>>({
      storage,
      expose: ['user', 'theme'],
    });
    expectTypeOf<ExposedOf<typeof picked>>().toEqualTypeOf<Pick<Data, 'user' | 'theme'>>();
    expectTypeOf(picked.getClientSession).returns.resolves.toEqualTypeOf<Pick<Data, 'user' | 'theme'>>();

    const shaped = createSessionKit<Data, { notice?: string }, { name: string | null; isAdmin: boolean }>({
      storage,
      expose: (data) => ({ name: data.user ?? null, isAdmin: data.role === 'admin' }),
    });
    expectTypeOf<ExposedOf<typeof shaped>>().toEqualTypeOf<{ name: string | null; isAdmin: boolean }>();

    // Never called: only the compiler checks these.
    const wrong = () => [
      // @ts-expect-error 'token' is not a key of Data
      createSessionKit<Data>({ storage, expose: ['user', 'token'] }),
      // @ts-expect-error 'role' is a key of Data but not of the declared exposed type
      createSessionKit<Data, { notice?: string }, Pick<Data, 'user'>>({ storage, expose: ['user', 'role'] }),
      createSessionKit<Data, { notice?: string }, { name: string }>({
        storage,
        // @ts-expect-error the function must return the declared exposed type
        expose: (data) => ({ name: data.role === 'admin' }),
      }),
      // @ts-expect-error expose is a list of keys or a function
      createSessionKit<Data>({ storage, expose: 'user' }),
    ];
    expect(typeof wrong).toBe('function');
    expect(typeof TypedBadge).toBe('function');
  });
});
