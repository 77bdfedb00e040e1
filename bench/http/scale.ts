import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AutocannonRequestSpec } from 'autocannon';
import { Redis } from 'ioredis';
import {
  benchPayload,
  kitCookieOnTheWire,
  REDIS_COOKIE,
  REDIS_PREFIX,
  type SizeId,
} from '../../app/bench/config.ts';
import { createSessionId } from '../../src/storage/session-id.ts';
import { encodeValue } from '../../src/storage/store/record-codec.ts';
import type { BoundStorage } from '../../src/storage/types.ts';
import { median } from '../measure.ts';
import { type LoadPlan, type RunStats, runLoad, summarize } from './load.ts';
import type { BenchServer } from './server.ts';
import { redisEngine, storeSession } from './sessions.ts';
import type { Variant } from './variants.ts';

/** Figures at one number of live sessions in Redis. */
export interface KeyScaleRow {
  readonly sessions: number;
  /** `used_memory` growth over the sessions written, bytes per session. */
  readonly bytesPerSession: number;
  readonly usedMemoryBytes: number;
  /** The kit's `load()` alone, one call at a time from the driver, over random sessions (µs). */
  readonly loadP50Micros: number;
  readonly loadP99Micros: number;
  /** Whole requests to the Redis read route, each with a random one of the sessions. */
  readonly http: { requestsPerSec: number; p50: number; p99: number; serverCpuMicros: number };
  /** Seconds the bulk write of this step took. */
  readonly writeSeconds: number;
}

const SAMPLE = 20_000;
const LOAD_CALLS = 3_000;

interface Sample {
  readonly tokens: string[];
  seen: number;
}

async function usedMemory(admin: Redis): Promise<number> {
  const info = await admin.info('memory');
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
}

/** The kit's SAVE call for one new session, as its Redis storage sent it: `[sha, 1, key, ...args]`. */
type SaveCall = [string, number, string, ...string[]];

/**
 * Creates one session through the kit's storage on a client that records the
 * EVALSHA it sends: the bulk load then replays exactly that command with a
 * fresh token (key) and session id per session, pipelined. The kit's own
 * per-call work (token, hashing, timeout) is what the HTTP figures measure;
 * here only the records matter, and they are byte for byte the kit's.
 */
async function captureSave(redisUrl: string, size: SizeId): Promise<{ call: SaveCall; idIndex: number }> {
  const client = new Redis(redisUrl);
  try {
    let call: SaveCall | undefined;
    const target = client as unknown as { evalsha: (...args: unknown[]) => Promise<unknown> };
    const original = target.evalsha.bind(client);
    target.evalsha = (...args: unknown[]) => {
      // The storage may pass the keys and arguments as one array, which ioredis flattens.
      call = args.flat().map((a) => (typeof a === 'number' ? a : String(a))) as SaveCall;
      return original(...args);
    };
    const token = await storeSession(redisEngine(client).storage, benchPayload(size), Date.now());
    if (call === undefined) throw new Error('the Redis storage sent no EVALSHA');
    await client.del(call[2]);
    const idIndex = call.indexOf('_id') + 1;
    if (idIndex === 0 || !token) throw new Error('no _id field in the save script arguments');
    return { call, idIndex };
  } finally {
    client.disconnect();
  }
}

const BATCH = 5_000;

function bulkString(value: string | number): string {
  const text = String(value);
  return `$${Buffer.byteLength(text, 'utf8')}\r\n${text}\r\n`;
}

/**
 * A raw RESP connection for the bulk load: ioredis spends more time building
 * a 30-argument command than Redis spends running it, so the constant parts
 * of the recorded EVALSHA are encoded once and only the key and session id
 * are spliced in per session. Replies must all be `:1`.
 */
async function rawConnection(host: string, port: number) {
  const socket = connect(port, host);
  await once(socket, 'connect');
  let pending = '';
  let waiting: { left: number; resolve: () => void; reject: (error: Error) => void } | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let end = pending.indexOf('\r\n');
    let start = 0;
    while (end >= 0 && waiting !== undefined) {
      const line = pending.slice(start, end);
      if (line !== ':1') {
        waiting.reject(new Error(`bulk save failed: ${line.slice(0, 200)}`));
        waiting = undefined;
        break;
      }
      if (--waiting.left === 0) {
        waiting.resolve();
        waiting = undefined;
      }
      start = end + 2;
      end = pending.indexOf('\r\n', start);
    }
    pending = pending.slice(start);
  });
  return {
    send(payload: string, replies: number): Promise<void> {
      return new Promise((resolve, reject) => {
        waiting = { left: replies, resolve, reject };
        socket.write(payload);
      });
    },
    close: () => socket.destroy(),
  };
}

/** Writes `count` sessions in the kit's record format; adds their tokens to `sample`. */
async function writeSessions(
  redisUrl: string,
  template: { call: SaveCall; idIndex: number },
  count: number,
  sample: Sample,
): Promise<void> {
  const url = new URL(redisUrl);
  const raw = await rawConnection(url.hostname, Number(url.port));
  const [sha, numKeys, , ...rest] = template.call;
  const idAt = template.idIndex - 3;
  const head = `*${template.call.length + 1}\r\n${bulkString('EVALSHA')}${bulkString(sha)}${bulkString(numKeys)}`;
  const middle = rest.slice(0, idAt).map(bulkString).join('');
  const tail = rest
    .slice(idAt + 1)
    .map(bulkString)
    .join('');
  try {
    for (let done = 0; done < count; ) {
      const n = Math.min(BATCH, count - done);
      const random = randomBytes(32 * n);
      const now = Date.now();
      const parts: string[] = [];
      for (let i = 0; i < n; i++) {
        const token = random.subarray(i * 32, (i + 1) * 32).toString('base64url');
        const key = `${REDIS_PREFIX}s:${createHash('sha256').update(token, 'utf8').digest('base64url')}`;
        parts.push(head, bulkString(key), middle, bulkString(encodeValue(createSessionId(now))), tail);
        // Reservoir sample: every session written so far is equally likely to be requested.
        sample.seen++;
        if (sample.tokens.length < SAMPLE) sample.tokens.push(token);
        else if (Math.random() < SAMPLE / sample.seen)
          sample.tokens[Math.floor(Math.random() * SAMPLE)] = token;
      }
      await raw.send(parts.join(''), n);
      done += n;
    }
  } finally {
    raw.close();
  }
}

async function loadLatencies(storage: BoundStorage, sample: readonly string[]): Promise<[number, number]> {
  const times: number[] = [];
  for (let i = 0; i < LOAD_CALLS; i++) {
    const token = sample[Math.floor(Math.random() * sample.length)] as string;
    const start = process.hrtime.bigint();
    const result = await storage.load(token);
    times.push(Number(process.hrtime.bigint() - start) / 1e3);
    if (result.status !== 'found') throw new Error(`a bulk-written session did not load: ${result.status}`);
  }
  times.sort((a, b) => a - b);
  return [median(times), times[Math.ceil(times.length * 0.99) - 1] ?? Number.NaN];
}

/**
 * Grows the number of live sessions in the bench's Redis step by step (each
 * a ~1 KB session in the kit's own record format, written by its storage),
 * and at each step measures memory per session, the kit's load latency and
 * whole requests that each read a random session.
 */
export async function keyScale(
  server: BenchServer,
  redisUrl: string,
  steps: readonly number[],
  plan: LoadPlan,
  redisVariant: Variant,
  log: (message: string) => void,
): Promise<KeyScaleRow[]> {
  const admin = new Redis(redisUrl);
  const reader = new Redis(redisUrl);
  const rows: KeyScaleRow[] = [];
  try {
    // A fresh keyspace: the main benchmark's few sessions are dropped.
    await admin.flushall();
    const template = await captureSave(redisUrl, '1KB');
    const readStorage = redisEngine(reader).storage;
    const empty = await usedMemory(admin);
    const sample: Sample = { tokens: [], seen: 0 };
    let written = 0;
    for (const target of steps) {
      const started = process.hrtime.bigint();
      await writeSessions(redisUrl, template, target - written, sample);
      const writeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
      written = target;
      const dbsize = await admin.dbsize();
      if (dbsize !== target) throw new Error(`expected ${target} keys in Redis, found ${dbsize}`);
      const used = await usedMemory(admin);
      const [loadP50Micros, loadP99Micros] = await loadLatencies(readStorage, sample.tokens);
      let turn = 0;
      const requests: AutocannonRequestSpec[] = [
        {
          setupRequest: (request) => {
            turn = (turn + 7919) % sample.tokens.length;
            const cookie = `${kitCookieOnTheWire(REDIS_COOKIE)}=${sample.tokens[turn]}`;
            return { ...request, headers: { ...redisVariant.headers, cookie } };
          },
        },
      ];
      const runs: RunStats[] = [];
      await runLoad(server, redisVariant, plan.warmupSeconds, plan.connections, requests);
      for (let round = 0; round < plan.rounds; round++) {
        runs.push(await runLoad(server, redisVariant, plan.secondsPerRun, plan.connections, requests));
      }
      const http = summarize(`redis@${target}`, runs);
      rows.push({
        sessions: target,
        bytesPerSession: (used - empty) / target,
        usedMemoryBytes: used,
        loadP50Micros,
        loadP99Micros,
        http,
        writeSeconds,
      });
      log(
        `${target.toLocaleString('en-US')} sessions: ${((used - empty) / target).toFixed(0)} B each, ` +
          `load p50 ${loadP50Micros.toFixed(0)} µs, HTTP ${http.requestsPerSec.toFixed(0)} req/s ` +
          `(written in ${writeSeconds.toFixed(1)} s)`,
      );
    }
  } finally {
    admin.disconnect();
    reader.disconnect();
  }
  return rows;
}
