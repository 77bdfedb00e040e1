import { cookies, headers } from 'next/headers';
import { benchPayload, DEFAULT_SIZE, isSizeId, SIZE_HEADER } from '../config';
import { benchEnabled, dataResponse, notFound } from '../lib';

// Never prerendered: without BENCH_ROUTES at build time it would be a static 404.
export const dynamic = 'force-dynamic';

/**
 * No session: the request APIs every variant uses (cookies(), headers()) and
 * the same JSON, so the difference to the other routes is the session alone.
 */
export async function GET(): Promise<Response> {
  if (!benchEnabled()) return notFound();
  const [jar, requestHeaders] = await Promise.all([cookies(), headers()]);
  // The driver sends this route the same Cookie header as the route it is compared with.
  if (jar.getAll().length === 0) return Response.json({ error: 'no cookie' }, { status: 400 });
  const size = requestHeaders.get(SIZE_HEADER);
  return dataResponse(benchPayload(isSizeId(size) ? size : DEFAULT_SIZE));
}
