import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Variant } from './variants.ts';

/** One response, read in full. */
export interface PlainResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Sends a variant's request exactly as autocannon does: its method, path and
 * headers and nothing else. Not fetch(): undici adds `Sec-Fetch-Mode: cors`,
 * which makes the guard treat the request as a script's and leave the cookie
 * alone, so a check through fetch would not see what the load run measures.
 */
export function plainRequest(origin: string, variant: Variant): Promise<PlainResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      new URL(variant.path, origin),
      { method: variant.method, headers: variant.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`${variant.id}: no answer within 10 s`)));
    req.on('error', reject);
    req.end();
  });
}
