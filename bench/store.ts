import { Redis } from 'ioredis';
import { hostLoadText, startBusyLoad, watchHostLoad } from './host-load.ts';
import { kit } from './kit.ts';
import { measureInterleaved, median, pairedRatio, type Schedule, spread, type Task } from './measure.ts';
import { type Payload, payloads } from './payloads.ts';
import { startBenchRedis } from './redis-server.ts';
import { createStorePath, type StorePath, type StorePathId, storeData } from './store-paths.ts';
import {
  type StoreCounts,
  type StorePayloadReport,
  type StoreReport,
  type StoreRow,
  storeChecks,
  type Trips,
} from './store-report.ts';

const PATH_IDS: readonly StorePathId[] = ['raw', 'raw-kit-commands', 'nsk-storage', 'nsk-engine'];

interface Measured {
  readonly payload: Payload;
  readonly path: StorePath;
  /** Requests completed so far, warm-up and counting included. */
  requests: number;
  /** `count` stored before the first request. */
  readonly initialCount: number;
  /** Socket writes spent creating the session, before the first request. */
  readonly setupWrites: number;
}

const taskKey = (item: Measured): string => `store:${item.payload.id}:${item.path.id}`;

async function request(item: Measured): Promise<void> {
  await item.path.flow.load();
  await item.path.flow.save();
  item.requests++;
}

/** Calls per command name, from `INFO commandstats` (our own INFO calls left out). */
async function commandStats(admin: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  const text = await admin.info('commandstats');
  for (const [, name, value] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (name !== undefined && name !== 'info') calls.set(name, Number(value));
  }
  return calls;
}

/** redis-server's CPU time so far (user + system), µs. */
async function redisCpuMicros(admin: Redis): Promise<number> {
  const text = await admin.info('cpu');
  const seconds = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1]);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

function perRequest(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>, n: number) {
  const result: Record<string, number> = {};
  for (const [name, calls] of after) {
    const delta = calls - (before.get(name) ?? 0);
    if (delta !== 0) result[name] = delta / n;
  }
  return result;
}

function tripsOf(samples: readonly number[]): Trips {
  const sum = samples.reduce((total, value) => total + value, 0);
  return { mean: sum / samples.length, min: Math.min(...samples), max: Math.max(...samples) };
}

/** Runs `n` requests one by one, counting round trips per half and commands on both ends. */
async function countRequests(item: Measured, admin: Redis, n: number): Promise<StoreCounts> {
  const { flow, wire } = item.path;
  const serverBefore = await commandStats(admin);
  const redisCpuBefore = await redisCpuMicros(admin);
  const sentBefore = new Map(wire.sent);
  const nodeCpuBefore = process.cpuUsage();
  const loads: number[] = [];
  const saves: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = wire.writes;
    await flow.load();
    const loaded = wire.writes;
    await flow.save();
    loads.push(loaded - start);
    saves.push(wire.writes - loaded);
    item.requests++;
  }
  const nodeCpu = process.cpuUsage(nodeCpuBefore);
  const redisCpu = (await redisCpuMicros(admin)) - redisCpuBefore;
  const serverAfter = await commandStats(admin);
  wire.assertSameSocket();
  return {
    requests: n,
    loadTrips: tripsOf(loads),
    saveTrips: tripsOf(saves),
    sent: perRequest(sentBefore, wire.sent, n),
    executed: perRequest(serverBefore, serverAfter, n),
    nodeCpuMicros: (nodeCpu.user + nodeCpu.system) / n,
    redisCpuMicros: redisCpu / n,
  };
}

/** One more load: every request's save must have reached Redis. */
async function assertAllSaved(item: Measured): Promise<void> {
  await item.path.flow.load();
  const expected = item.initialCount + item.requests;
  const actual = item.path.flow.loadedCount();
  if (actual !== expected) {
    throw new Error(`${item.path.label} (${item.payload.id}): count is ${actual}, expected ${expected}`);
  }
}

/**
 * Starts a private redis-server, measures a session request (load + save)
 * on each path side by side, counts its round trips and commands, and stops
 * the server again, also on error or Ctrl-C.
 */
export async function benchStore(
  schedule: Schedule,
  countedRequests: number,
  log: (message: string) => void,
  busyWorkers = 0,
): Promise<StoreReport> {
  const server = await startBenchRedis();
  log(`redis-server ${server.version} on ${server.host}:${server.port}`);
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping the bench redis-server`);
    void server.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const clients: Redis[] = [];
  try {
    const admin = new Redis({ host: server.host, port: server.port, lazyConnect: true });
    clients.push(admin);
    await admin.connect();
    const items: Measured[] = [];
    for (const payload of payloads) {
      for (const id of PATH_IDS) {
        const path = await createStorePath(id, server, payload.id, payload.data);
        clients.push(path.client);
        const initialCount = Number(storeData(payload.data).count);
        items.push({ payload, path, requests: 0, initialCount, setupWrites: path.wire.writes });
      }
    }

    const tasks: Task[] = items.map((item) => ({ key: taskKey(item), run: () => request(item) }));
    // --busy: the other core(s) taken for the timed rounds, as on a shared host.
    const busy = busyWorkers > 0 ? await startBusyLoad(busyWorkers) : undefined;
    const watch = watchHostLoad();
    log(`${tasks.length} store tasks, ${schedule.rounds} rounds × ${schedule.msPerRound} ms each`);
    const cpuBefore = process.cpuUsage();
    const wallBefore = process.hrtime.bigint();
    const rates = await measureInterleaved(tasks, schedule, (round) =>
      log(`store round ${round + 1}/${schedule.rounds}`),
    );
    const hostLoad = watch.stop();
    await busy?.stop();
    if (busy !== undefined) log(`busy host: ${busyWorkers} spinning process(es); ${hostLoadText(hostLoad)}`);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / (Number(process.hrtime.bigint() - wallBefore) / 1e3);
    const timedTrips = new Map(
      items.map((item) => [item, (item.path.wire.writes - item.setupWrites) / item.requests]),
    );

    log(`counting round trips and commands over ${countedRequests} requests per path`);
    const counts = new Map<Measured, StoreCounts>();
    for (const item of items) counts.set(item, await countRequests(item, admin, countedRequests));
    for (const item of items) await assertAllSaved(item);

    const reports = payloads.map((payload): StorePayloadReport => {
      const mine = items.filter((item) => item.payload === payload);
      const ratesOf = (item: Measured | undefined): number[] => {
        const values = item === undefined ? undefined : rates.get(taskKey(item));
        if (values === undefined || values.length === 0)
          throw new Error(`no store samples for ${payload.id}`);
        return values;
      };
      const raw = ratesOf(mine.find((item) => item.path.id === 'raw'));
      const rows = mine.map((item): StoreRow => {
        const perRound = ratesOf(item);
        const itemCounts = counts.get(item);
        if (itemCounts === undefined) throw new Error('store path was not counted');
        return {
          path: item.path.id,
          label: item.path.label,
          requestsPerSec: median(perRound),
          perRound,
          spread: spread(perRound),
          vsRaw: pairedRatio(perRound, raw),
          counts: itemCounts,
          roundTripsTimed: timedTrips.get(item) ?? Number.NaN,
        };
      });
      const jsonBytes = Buffer.byteLength(JSON.stringify(storeData(payload.data)), 'utf8');
      return { id: payload.id, label: payload.label, jsonBytes, rows };
    });
    return {
      redisVersion: server.version,
      kit: kit.source,
      schedule,
      cpuShare,
      payloads: reports,
      checks: storeChecks(reports, busy !== undefined),
      busy: busy === undefined ? undefined : { workers: busyWorkers, hostLoad },
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    for (const client of clients) client.disconnect();
    await server.stop();
  }
}
