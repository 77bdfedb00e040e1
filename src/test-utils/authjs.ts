// Auth.js v5 session cookies made by the real @auth/core (a devDependency):
// a Credentials sign-in through Auth() itself, so the cookie's name, chunks
// and JWE are exactly what an app running Auth.js has in its users' browsers.
import { Auth } from '@auth/core';
import Credentials from '@auth/core/providers/credentials';

/** What a sign-in through Auth.js left in the browser. */
export interface AuthjsSignIn {
  /** The session cookie (or its chunks), name → value. */
  cookies: Record<string, string>;
  /** The Set-Cookie lines of the sign-in response. */
  setCookie: string[];
}

/**
 * Signs `name` in through Auth.js's Credentials provider (JWT sessions) and
 * returns the session cookie it sets. `claims` are added by the `jwt`
 * callback (a large one makes Auth.js chunk the cookie).
 */
export async function authjsSignIn(options: {
  secret: string | string[];
  name: string;
  id?: string;
  secure?: boolean;
  claims?: Record<string, unknown>;
  maxAge?: number;
}): Promise<AuthjsSignIn> {
  const base = options.secure === false ? 'http://app.test' : 'https://app.test';
  const config = {
    secret: options.secret,
    trustHost: true,
    basePath: '/auth',
    session: { strategy: 'jwt' as const, ...(options.maxAge !== undefined && { maxAge: options.maxAge }) },
    providers: [
      Credentials({
        credentials: { username: {} },
        authorize: async (credentials) => ({
          id: options.id ?? 'u-1',
          name: String(credentials.username),
          email: 'ada@example.com',
        }),
      }),
    ],
    callbacks: { jwt: ({ token }: { token: Record<string, unknown> }) => ({ ...token, ...options.claims }) },
  };
  const csrf = await Auth(new Request(`${base}/auth/csrf`), config);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const response = await Auth(
    new Request(`${base}/auth/callback/credentials`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken, username: options.name }),
    }),
    config,
  );
  const setCookie = response.headers.getSetCookie();
  const cookies: Record<string, string> = {};
  for (const line of setCookie) {
    const [pair = ''] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at);
    if (/authjs\.session-token/.test(name)) cookies[name] = decodeURIComponent(pair.slice(at + 1));
  }
  if (Object.keys(cookies).length === 0)
    throw new Error(`Auth.js did not sign in (status ${response.status})`);
  return { cookies, setCookie };
}
