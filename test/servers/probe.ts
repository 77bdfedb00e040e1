import { connect } from 'node:net';
import { HOST } from './ports.ts';

const PROBE_TIMEOUT_MS = 1_000;

/** One request/response over a fresh socket; `complete` decides when the reply is whole. */
function exchange(port: number, payload: string, complete: (data: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let data = Buffer.alloc(0);
    const finish = (error?: Error): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(data);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(new Error(`${HOST}:${port} did not answer`)));
    socket.once('error', finish);
    socket.once('close', () => finish(new Error(`${HOST}:${port} closed the connection`)));
    socket.once('connect', () => socket.write(payload));
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (complete(data)) finish();
    });
  });
}

type Reply = string | Error | undefined;

// Just enough RESP for probes: simple strings, errors, integers and bulk strings.
function parseReply(data: Buffer): Reply {
  const eol = data.indexOf('\r\n');
  if (eol < 0) return undefined;
  const line = data.toString('utf8', 1, eol);
  switch (String.fromCharCode(data[0] ?? 0)) {
    case '+':
    case ':':
      return line;
    case '-':
      return new Error(line);
    case '$': {
      const length = Number(line);
      if (length < 0) return '';
      const start = eol + 2;
      return data.length >= start + length + 2 ? data.toString('utf8', start, start + length) : undefined;
    }
    default:
      return new Error(`unsupported RESP reply: ${line}`);
  }
}

export async function redisCommand(port: number, ...args: string[]): Promise<string> {
  const payload = `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`;
  const reply = parseReply(await exchange(port, payload, (data) => parseReply(data) !== undefined));
  if (reply === undefined) throw new Error('incomplete reply');
  if (reply instanceof Error) throw reply;
  return reply;
}

/** `INFO`-style `key:value` lines as a map. */
export function parseInfo(text: string): Map<string, string> {
  const entries = text
    .split('\r\n')
    .filter((line) => line.includes(':'))
    .map((line): [string, string] => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1)]);
  return new Map(entries);
}

export async function memcachedStats(port: number): Promise<Map<string, string>> {
  const data = await exchange(port, 'stats\r\n', (buf) => buf.toString('latin1').endsWith('END\r\n'));
  const entries = data
    .toString('utf8')
    .split('\r\n')
    .map((line) => line.split(' '))
    .filter((parts): parts is [string, string, string] => parts.length === 3 && parts[0] === 'STAT')
    .map(([, key, value]): [string, string] => [key, value]);
  return new Map(entries);
}
