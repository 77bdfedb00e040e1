import { cookies, headers } from 'next/headers';
import {
  benchPayload,
  DEFAULT_SIZE,
  isSizeId,
  kitCookieOnTheWire,
  MAX_AGE_S,
  NSK_COOKIE,
  SIZE_HEADER,
} from '../config';
import { benchEnabled, dataResponse, notFound } from '../lib';

export const dynamic = 'force-dynamic';

/**
 * No session library: writes the request's cookie back unchanged, with the
 * attributes the kit uses. What Next itself costs per written cookie (its
 * Set-Cookie handling), to set the kit's read + write against.
 */
export async function POST(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const [jar, requestHeaders] = await Promise.all([cookies(), headers()]);
  const name = kitCookieOnTheWire(NSK_COOKIE);
  const value = jar.get(name)?.value;
  if (value === undefined) return Response.json({ error: 'no cookie' }, { status: 400 });
  jar.set(name, value, { path: '/', httpOnly: true, secure: true, sameSite: 'lax', maxAge: MAX_AGE_S });
  const size = requestHeaders.get(SIZE_HEADER);
  const data = benchPayload(isSizeId(size) ? size : DEFAULT_SIZE);
  // The same JSON as the write routes answer: the data with `count` incremented.
  return dataResponse({ ...data, count: (Number(data.count) || 0) + 1 });
}
