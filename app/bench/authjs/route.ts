import { decode } from '@auth/core/jwt';
import { cookies } from 'next/headers';
import { AUTHJS_COOKIE, type Payload } from '../config';
import { benchEnabled, benchSecret, dataResponse, notFound } from '../lib';

export const dynamic = 'force-dynamic';

/** Decodes the same session as an Auth.js JWT (its cookie name is the salt, as in Auth.js). */
export async function GET(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const token = (await cookies()).get(AUTHJS_COOKIE)?.value;
  const payload = token ? await decode<Payload>({ token, secret: benchSecret(), salt: AUTHJS_COOKIE }) : null;
  if (payload === null) return Response.json({ error: 'no session' }, { status: 401 });
  // Answer the session data alone, like the other routes: without Auth.js's claims.
  const { iat: _iat, exp: _exp, jti: _jti, ...data } = payload;
  return dataResponse(data);
}
