import { type BrowserContext, type Cookie, expect, type Page } from '@playwright/test';

/**
 * The demo's `session` cookie as `next start` names it: production makes it
 * Secure, and a Secure cookie is `__Host-session` (Chromium accepts those
 * from http://127.0.0.1, a potentially trustworthy origin).
 */
export const COOKIE = '__Host-session';
/** The same cookie under `next dev` on plain http: not Secure, so no prefix. */
export const DEV_COOKIE = 'session';

/** What `/` shows about the current session. */
export interface ShownSession {
  id: string;
  user: string;
  count: number;
  isNew: boolean;
  createdAt: string;
  expiresAt: string;
}

export async function readHome(page: Page): Promise<ShownSession> {
  const text = async (id: string) => ((await page.getByTestId(id).textContent()) ?? '').trim();
  return {
    id: await text('session-id'),
    user: await text('session-user'),
    count: Number(await text('session-count')),
    isNew: (await text('session-new')) === 'true',
    createdAt: await text('session-created'),
    expiresAt: await text('session-expires'),
  };
}

/** Clicks "Increment counter" on `/` and waits for the new count. */
export async function increment(page: Page): Promise<number> {
  const before = Number(await page.getByTestId('session-count').textContent());
  await page.getByRole('button', { name: 'Increment counter' }).click();
  await expect(page.getByTestId('session-count')).toHaveText(String(before + 1));
  return before + 1;
}

/** Signs in through the form on `/login` and waits for `/`. */
export async function login(page: Page, origin: string, name: string): Promise<void> {
  await page.goto(`${origin}/login`);
  await submitLogin(page, name);
  await page.waitForURL(`${origin}/`);
  await expect(page.getByTestId('session-user')).toHaveText(`Signed in as ${name}`);
}

/**
 * Every cookie that could be the session: `__Host-session` or its chunks
 * `__Host-session.0`, `__Host-session.1`, …, and any unprefixed `session`
 * or `session.N` (which the kit must never write under `next start`).
 */
export async function sessionCookies(context: BrowserContext): Promise<Cookie[]> {
  const all = await context.cookies();
  return all.filter((c) => /^(?:__Host-)?session(?:\.\d+)?$/.test(c.name));
}

/** The single (unchunked) session cookie; fails the test if it is missing. */
export async function sessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookies = await sessionCookies(context);
  const cookie = cookies.find((c) => c.name === COOKIE);
  expect(
    cookie,
    `expected one "${COOKIE}" cookie, got ${cookies.map((c) => c.name).join(', ')}`,
  ).toBeTruthy();
  return cookie as Cookie;
}

/** Replaces the session cookie's value, keeping its other attributes. */
export async function setSessionCookieValue(
  context: BrowserContext,
  cookie: Cookie,
  value: string,
): Promise<void> {
  await context.addCookies([{ ...cookie, value }]);
}

/** The JWE protected header (first compact segment, base64url JSON). */
export function jweHeader(value: string): Record<string, unknown> {
  const first = value.split('.')[0] ?? '';
  return JSON.parse(Buffer.from(first, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Flips one character in the middle of the ciphertext (4th compact segment). */
export function tamper(value: string): string {
  const parts = value.split('.');
  expect(parts, 'a compact JWE has 5 segments').toHaveLength(5);
  const ciphertext = parts[3] ?? '';
  const i = Math.floor(ciphertext.length / 2);
  const flipped = ciphertext[i] === 'A' ? 'B' : 'A';
  parts[3] = ciphertext.slice(0, i) + flipped + ciphertext.slice(i + 1);
  return parts.join('.');
}

/** One row of the `/sessions` table. */
export interface ListedSession {
  id: string;
  current: boolean;
}

/** Opens `/sessions` and reads its table. */
export async function readSessions(page: Page, origin: string): Promise<ListedSession[]> {
  if (page.url() !== `${origin}/sessions`) await page.goto(`${origin}/sessions`);
  const rows = page.getByTestId('session-row');
  await expect(page.getByTestId('sessions-table')).toBeVisible();
  const listed: ListedSession[] = [];
  for (const row of await rows.all()) {
    listed.push({
      id: ((await row.locator('code').textContent()) ?? '').trim(),
      current: (await row.getAttribute('data-current')) === 'true',
    });
  }
  return listed;
}

/** Fills and submits the sign-in form of the page already open on `/login` (maybe with `?next=`). */
export async function submitLogin(page: Page, name: string): Promise<void> {
  await page.getByLabel('Username').fill(name);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
