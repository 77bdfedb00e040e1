import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { HOST } from './ports.ts';

/**
 * A stand-in for the Upstash REST API (what `@vercel/kv` talks to), backed by a real redis-server.
 * Fault modes: 'error' answers HTTP 500, 'hang' never answers, 'drop' resets the connection
 * (a network error, which the Upstash client retries with backoff; HTTP errors it does not retry).
 */
export type BridgeMode = 'ok' | 'error' | 'hang' | 'drop';

export interface KvBridge {
  readonly url: string;
  readonly token: string;
  readonly port: number;
  setMode(mode: BridgeMode): void;
  /** HTTP requests received so far (each one is a round trip of the client's). */
  requests(): number;
  stop(): Promise<void>;
}

export interface KvBridgeOptions {
  redisUrl: string;
  token?: string;
  /** Listen on this port (e.g. to start a stopped bridge again where clients expect it); a free one otherwise. */
  port?: number;
}

type Arg = string | number | boolean | null;
type Command = [name: string, ...args: Arg[]];
type Wire = string | number | null | Wire[];
type Outcome = { result: unknown } | { error: string };

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isArg(value: unknown): value is Arg {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function parseCommand(value: unknown): Command {
  if (Array.isArray(value) && typeof value[0] === 'string' && value.every(isArg)) {
    const [name, ...args] = value;
    return [name, ...args];
  }
  throw new HttpError(400, `ERR invalid command: ${JSON.stringify(value)}`);
}

function parseCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, 'ERR expected a non-empty array');
  return value.map(parseCommand);
}

// The Upstash client sends numbers and booleans as JSON values; Redis wants strings.
const encodeArgs = (args: Arg[]): string[] =>
  args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));

function toWire(value: unknown, base64: boolean): Wire {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return value;
  if (Buffer.isBuffer(value)) return base64 ? value.toString('base64') : value.toString('utf8');
  if (typeof value === 'string') return toWire(Buffer.from(value), base64);
  if (Array.isArray(value)) return value.map((item) => toWire(item, base64));
  if (value instanceof Error) return toWire(value.message, base64);
  // ioredis turns HGETALL into an object even through callBuffer; Upstash sends the flat array.
  if (typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => [toWire(k, base64), toWire(v, base64)]);
  return toWire(String(value), base64);
}

const isReplyError = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'ReplyError';

async function runOne(redis: Redis, [name, ...args]: Command): Promise<unknown> {
  return redis.callBuffer(name, ...encodeArgs(args));
}

async function runBatch(redis: Redis, commands: Command[], atomic: boolean): Promise<Outcome[]> {
  const batch = atomic ? redis.multi() : redis.pipeline();
  for (const [name, ...args] of commands) batch.callBuffer(name, ...encodeArgs(args));
  let replies: [Error | null, unknown][] | null;
  try {
    replies = await batch.exec();
  } catch (error) {
    // MULTI aborted at queue time (EXECABORT): the whole request fails, like a single command.
    throw isReplyError(error) ? new HttpError(400, error.message) : error;
  }
  if (replies === null) throw new HttpError(400, 'EXECABORT transaction aborted');
  return replies.map(([error, result]) => (error ? { error: error.message } : { result }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'ERR request body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const outcomeToWire = (outcome: Outcome, base64: boolean): { result: Wire } | { error: string } =>
  'error' in outcome ? outcome : { result: toWire(outcome.result, base64) };

export async function startKvBridge(options: KvBridgeOptions): Promise<KvBridge> {
  const token = options.token ?? randomBytes(16).toString('hex');
  const redis = new Redis(options.redisUrl, { protocol: 2 });
  let mode: BridgeMode = 'ok';
  let requests = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    if (mode === 'hang') return;
    if (mode === 'drop') return void req.socket.destroy();
    if (mode === 'error') return send(res, 500, { error: 'injected' });
    if (req.headers.authorization !== `Bearer ${token}`) return send(res, 401, { error: 'Unauthorized' });
    if (req.method !== 'POST') return send(res, 405, { error: 'ERR only POST is supported' });
    const base64 = req.headers['upstash-encoding'] === 'base64';
    const path = new URL(req.url ?? '/', 'http://bridge').pathname;
    const body = await readJson(req);
    switch (path) {
      case '/': {
        try {
          return send(res, 200, { result: toWire(await runOne(redis, parseCommand(body)), base64) });
        } catch (error) {
          throw isReplyError(error) ? new HttpError(400, error.message) : error;
        }
      }
      case '/pipeline':
      case '/multi-exec': {
        const outcomes = await runBatch(redis, parseCommands(body), path === '/multi-exec');
        return send(
          res,
          200,
          outcomes.map((outcome) => outcomeToWire(outcome, base64)),
        );
      }
      default:
        throw new HttpError(404, `ERR unknown endpoint ${path}`);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      const status = error instanceof HttpError ? error.status : 500;
      send(res, status, { error: error instanceof Error ? error.message : String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${HOST}:${port}`,
    token,
    port,
    setMode: (next) => {
      mode = next;
    },
    requests: () => requests,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive and deliberately hung requests would otherwise hold close() open forever.
      server.closeAllConnections();
      await closed;
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
