import { connect, createServer, type Server, type Socket } from 'node:net';
import { HOST } from './ports.ts';

/**
 * A loopback TCP proxy in front of a PostgreSQL that counts round trips: every client message after
 * which the client waits for the server (`Sync` ends an extended-protocol query, `Query` is a simple
 * query, `Flush` asks for what a `Describe` found before the client goes on). A driver that pipelines a
 * whole parse/bind/execute sequence is counted once, one that describes first (postgres.js on a
 * statement it has not prepared yet) twice, which is what either costs in waiting.
 */
export interface PgProxy {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<proxy port>/postgres`. */
  readonly url: string;
  /** Round trips over every connection so far. */
  trips(): number;
  /** Connections opened through the proxy so far. */
  connections(): number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const WAITS = new Set(['S', 'Q', 'H'].map((c) => c.charCodeAt(0)));

export async function startPgProxy(target: { host: string; port: number }): Promise<PgProxy> {
  let trips = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let startup = true;
    let pending: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (startup) {
          if (pending.length < 8) break;
          const length = pending.readInt32BE(0);
          if (pending.length < length) break;
          const code = pending.readInt32BE(4);
          if (code !== SSL_REQUEST && code !== GSS_REQUEST) startup = false;
          pending = pending.subarray(length);
          continue;
        }
        if (pending.length < 5) break;
        const length = pending.readInt32BE(1);
        if (pending.length < length + 1) break;
        if (WAITS.has(pending[0] as number)) trips++;
        pending = pending.subarray(length + 1);
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  return {
    port: address.port,
    url: `postgres://postgres@${HOST}:${address.port}/postgres`,
    trips: () => trips,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
