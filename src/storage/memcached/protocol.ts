import type { Client, Response } from 'memjs';

/** What a conditional write answered: `exists` means the CAS no longer matched. */
export type StoreStatus = 'stored' | 'missing' | 'exists' | 'too-large';

/**
 * The few memcached commands the kit needs, with the CAS ("compare and
 * set") values memjs 1.3 reads but does not expose. Each one is a binary
 * protocol request sent through memjs' own `perform()`, so it goes to the
 * server memjs picks for the key (hashed over several servers), over memjs'
 * connection, with memjs' retries, timeouts and failover; a transport
 * failure rejects with memjs' error. Values are raw bytes: a custom memjs
 * serializer is bypassed.
 */
export interface MemcachedOps {
  /** The value and its CAS, or `null` when absent. */
  get(key: string): Promise<{ value: Uint8Array; cas: bigint } | null>;
  /**
   * `set` (always), `add` (only if absent: `exists` otherwise), `replace`
   * (only if present: `missing` otherwise). A non-zero `cas` makes the
   * write conditional: `exists` when the item changed since that CAS was
   * read, `missing` when it is gone. `cas` of the answer: the item's new CAS.
   */
  store(
    mode: 'set' | 'add' | 'replace',
    key: string,
    value: string,
    expires: number,
    cas?: bigint,
  ): Promise<{ status: StoreStatus; cas: bigint }>;
  /** Appends to an existing value (`missing` when absent); the TTL stays. */
  append(key: string, value: string): Promise<StoreStatus>;
  /** Sets a new TTL; `false` when the key is absent. */
  touch(key: string, expires: number): Promise<boolean>;
  /** Deletes the key (only if its CAS still matches, with `cas`); `false` when absent or changed. */
  remove(key: string, cas?: bigint): Promise<boolean>;
}

// Binary protocol opcodes and statuses (memcached's protocol_binary.h).
const OP = { get: 0x00, set: 0x01, add: 0x02, replace: 0x03, delete: 0x04, append: 0x0e, touch: 0x1c };
const OK = 0x0000;
const NOT_FOUND = 0x0001;
const EXISTS = 0x0002;
const TOO_LARGE = 0x0003;
const NOT_STORED = 0x0005;
const HEADER = 24;

/**
 * {@link MemcachedOps} over a memjs client.
 */
export function memcachedOps(client: Client): MemcachedOps {
  const send = (opcode: number, key: string, extras: Uint8Array, value: string, cas: bigint) =>
    perform(client, opcode, key, extras, value, cas);
  return {
    async get(key) {
      const { status, cas, val } = await send(OP.get, key, NO_BYTES, '', 0n);
      if (status === NOT_FOUND) return null;
      if (status !== OK) throw unexpected('get', status);
      return { value: val, cas };
    },
    async store(mode, key, value, expires, cas = 0n) {
      const extras = new Uint8Array(8);
      new DataView(extras.buffer).setUint32(4, expires);
      const reply = await send(OP[mode], key, extras, value, cas);
      return { status: storeStatus(mode, reply.status), cas: reply.cas };
    },
    async append(key, value) {
      return storeStatus('append', (await send(OP.append, key, NO_BYTES, value, 0n)).status);
    },
    async touch(key, expires) {
      const extras = new Uint8Array(4);
      new DataView(extras.buffer).setUint32(0, expires);
      const { status } = await send(OP.touch, key, extras, '', 0n);
      if (status === NOT_FOUND) return false;
      if (status !== OK) throw unexpected('touch', status);
      return true;
    },
    async remove(key, cas = 0n) {
      const { status } = await send(OP.delete, key, NO_BYTES, '', cas);
      if (status === NOT_FOUND || status === EXISTS) return false;
      if (status !== OK) throw unexpected('delete', status);
      return true;
    },
  };
}

const NO_BYTES = new Uint8Array(0);
const encoder = new TextEncoder();

function storeStatus(command: string, status: number): StoreStatus {
  if (status === OK) return 'stored';
  // memcached answers NOT_STORED to an add over an existing key, a replace
  // or append of a missing one (depending on the command and version).
  if (status === NOT_FOUND || (status === NOT_STORED && command !== 'add')) return 'missing';
  if (status === EXISTS || status === NOT_STORED) return 'exists';
  if (status === TOO_LARGE) return 'too-large';
  throw unexpected(command, status);
}

const STATUS_NAMES: Record<number, string> = {
  4: 'invalid arguments',
  129: 'unknown command',
  130: 'out of memory',
  131: 'not supported',
  132: 'internal error',
  133: 'busy',
  134: 'temporary failure',
};

function unexpected(command: string, status: number): Error {
  return new Error(
    `memcached answered ${command} with status ${status} (${STATUS_NAMES[status] ?? 'unknown'}).`,
  );
}

interface Reply {
  status: number;
  cas: bigint;
  val: Uint8Array;
}

// One request through memjs: its sequence number is the request's opaque
// field, which is how memjs matches the answer to this callback.
function perform(
  client: Client,
  opcode: number,
  key: string,
  extras: Uint8Array,
  value: string,
  cas: bigint,
): Promise<Reply> {
  const keyBytes = encoder.encode(key);
  const valueBytes = encoder.encode(value);
  const body = extras.length + keyBytes.length + valueBytes.length;
  const request = Buffer.alloc(HEADER + body);
  request[0] = 0x80; // request magic
  request[1] = opcode;
  request.writeUInt16BE(keyBytes.length, 2);
  request[4] = extras.length;
  request.writeUInt32BE(body, 8);
  client.incrSeq();
  const seq = client.seq;
  request.writeUInt32BE(seq, 12);
  request.writeBigUInt64BE(cas, 16);
  request.set(extras, HEADER);
  request.set(keyBytes, HEADER + extras.length);
  request.set(valueBytes, HEADER + extras.length + keyBytes.length);
  return new Promise<Reply>((resolve, reject) => {
    client.perform(key, request, seq, (error: unknown, response?: Response | null) => {
      if (error !== null && error !== undefined) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } else if (response === null || response === undefined) {
        reject(new Error('memcached closed the connection without an answer.'));
      } else {
        const { header } = response;
        resolve({ status: header.status, cas: header.cas.readBigUInt64BE(0), val: response.val });
      }
    });
  });
}
