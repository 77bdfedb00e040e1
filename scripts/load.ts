// Load, isolation and fault test of the demo (`next start`, built first) on every storage.
//
//   node --import tsx scripts/load.ts [--quick] [--only redis,kv] [--no-faults] [--in-flight 48] [--json file]
//
// Quick mode (also LOAD_QUICK=1) is the CI size. Exits 1 when any check fails; the last line of output is
// `LOAD_SUMMARY {json}`, and --json writes the same object ({ passed, failed, ... }) to a file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DemoServer, newSecret, startServer } from '../e2e/server.ts';
import { Client, Gate, Ledger, type Outcome, type Violation } from './load/client.ts';
import {
  type Fault,
  STORAGE_NAMES,
  STORE_TIMEOUT_MS,
  type StorageName,
  type StorageSetup,
  startStorage,
} from './load/stores.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick') || process.env.LOAD_QUICK === '1';
const jsonOut = option('--json');
const only = option('--only')?.split(',') ?? [...STORAGE_NAMES];
const unknown = only.filter((name) => !(STORAGE_NAMES as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown storage ${unknown.join(', ')}; use: ${STORAGE_NAMES.join(', ')}`);
  process.exit(2);
}
const storages = STORAGE_NAMES.filter((name) => only.includes(name));

const withFaults = !args.includes('--no-faults');
// Requests in flight at once, over all clients (0: no bound); see Ledger.gate. Unbounded, 100 clients
// with no think time can queue so long on a busy 2-core machine that KV calls (up to three REST round
// trips per request, through the bridge) pass the kit's 2 s store timeout and answer 503.
const inFlight = Number(option('--in-flight') ?? 48);
if (!Number.isInteger(inFlight) || inFlight < 0) {
  console.error('--in-flight takes a whole number (0: unbounded)');
  process.exit(2);
}
const PLAN = quick
  ? {
      clients: 100,
      steps: 4,
      rampMs: 1_000,
      faultClients: 40,
      warmMs: 300,
      holdMs: 2_200,
      shortHoldMs: 1_000,
      afterMinMs: 2_100,
      afterMaxMs: 8_000,
    }
  : {
      clients: 200,
      steps: 50,
      rampMs: 2_000,
      faultClients: 200,
      warmMs: 1_000,
      holdMs: 5_000,
      shortHoldMs: 5_000,
      afterMinMs: 4_000,
      afterMaxMs: 15_000,
    };
const PROBE_MS = 50;
// Service must be back this soon after the store is (first success, and no failure started later).
const RECOVERY_MS = 2_000;
// A 503 while the store hangs comes after the kit's timeout plus the deadline sweep and Next's error path.
const HANG_503_SLACK_MS = 1_000;
// A fault is held until it has shown (a 503 seen); a fault that never shows by then is a failed check.
const FAULT_SHOW_DEADLINE_MS = 30_000;
// A route proxy.ts lets through untouched and that answers without the session (404 without
// BENCH_ROUTES): its round trip is what the server and this script add to any answer at that moment,
// without the store. Time checks subtract it, so a host busy with other work does not fail them while a
// kit that waits on the store longer than it should still does.
const FLOOR_PATH = '/api/bench-floor';

const now = (): number => performance.now();

// ---- checks -------------------------------------------------------------------------------------------

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
const checks: Check[] = [];
function check(name: string, ok: boolean, detail = ''): void {
  checks.push({ name, ok, detail });
  if (!ok) console.log(`  FAILED ${name}${detail ? `: ${detail}` : ''}`);
}

// ---- figures ------------------------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const count = (findings: Ledger['findings'], ...kinds: Violation[]): number =>
  findings.filter((f) => kinds.includes(f.kind)).length;

interface LoadRow {
  storage: StorageName;
  clients: number;
  parallelClients: number;
  chunkedClients: number;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  status5xx: number;
  networkErrors: number;
  crossTalk: number;
  lostUpdates: number;
  wrongFresh: number;
  otherFindings: number;
}

interface FaultRow {
  storage: StorageName;
  fault: string;
  affectedClients: number;
  requestsDuringFault: number;
  status503: number;
  other5xx: number;
  networkErrors: number;
  wrongFresh: number;
  crossTalk: number;
  lostUpdates: number;
  /** The slowest 503: with a hanging store, the kit's timeout plus the server's own delay. */
  max503Ms: number;
  /** The largest 503 round trip less the slowest storeless round trip sent while it was in flight. */
  max503WaitMs: number;
  /** The slowest storeless round trip during the fault and after: what the host added to any answer. */
  maxFloorMs: number;
  storeReadyMs: number;
  recoveryMs: number | null;
  lastFailureMs: number | null;
  sessionsLost: number;
  sessionsLostByDesign: number;
  unaffectedFailures: number;
}

const loadRows: LoadRow[] = [];
const faultRows: FaultRow[] = [];

// ---- phases -------------------------------------------------------------------------------------------

/** A few requests before measuring: the first hit of each route loads its code into the server. */
async function warmUp(setup: StorageSetup, server: DemoServer): Promise<void> {
  const ledger = new Ledger();
  const warm = Array.from(
    { length: 10 },
    (_, index) =>
      new Client({
        index,
        origin: server.origin,
        ledger,
        storeBacked: setup.storeBacked,
        parallel: setup.mergesKeys,
        big: false,
        tag: 'warm',
      }),
  );
  await Promise.all(
    warm.map(async (client) => {
      for (let step = 0; step < 3; step++) await client.step(step);
      await client.verify();
    }),
  );
  const failed = ledger.outcomes.filter((o) => o.status !== 200).length + ledger.findings.length;
  if (failed > 0) throw new Error(`warm-up failed: ${ledger.findings.map((f) => f.detail).join('; ')}`);
}

async function loadPhase(setup: StorageSetup, server: DemoServer, ledger: Ledger): Promise<Client[]> {
  await warmUp(setup, server);
  const clients = Array.from(
    { length: PLAN.clients },
    (_, index) =>
      new Client({
        index,
        origin: server.origin,
        ledger,
        storeBacked: setup.storeBacked,
        // Parallel requests on one session only where different keys provably merge.
        parallel: setup.mergesKeys && index % 5 === 0,
        big: index % 10 === 1,
        tag: setup.name,
      }),
  );
  const relogs = (c: Client): boolean => c.index % 10 === 1 || c.index % 10 === 2;
  const half = Math.floor(PLAN.steps / 2);
  let chunked = 0;
  const started = now();
  await Promise.all(
    clients.map(async (client) => {
      // Clients arrive over rampMs rather than all in one instant (their first request is a login).
      await sleep((client.index * PLAN.rampMs) / clients.length);
      for (let step = 0; step < PLAN.steps; step++) {
        if (step === half && relogs(client) && !client.needsLogin) {
          if (client.cookieParts() > 1) chunked += 1;
          await client.relogin();
          if (client.cookieParts() > 1) chunked += 1;
        } else {
          await client.step(step);
        }
      }
      await client.verify();
    }),
  );
  const seconds = (now() - started) / 1000;
  const outcomes = ledger.outcomes;
  const durations = outcomes.map((o) => o.end - o.start).sort((x, y) => x - y);
  const findings = ledger.findings;
  const row: LoadRow = {
    storage: setup.name,
    clients: clients.length,
    parallelClients: clients.filter((c) => c.parallel).length,
    chunkedClients: chunked,
    requests: outcomes.length,
    seconds,
    reqPerSec: outcomes.length / seconds,
    p50Ms: percentile(durations, 50),
    p99Ms: percentile(durations, 99),
    status5xx: outcomes.filter((o) => o.status >= 500).length,
    networkErrors: outcomes.filter((o) => o.status === 0).length,
    crossTalk: count(findings, 'cross-talk'),
    lostUpdates: count(findings, 'lost-update', 'phantom-update', 'session-lost'),
    wrongFresh: count(findings, 'wrong-fresh'),
    otherFindings: count(findings, 'not-revoked', 'bad-cookie', 'unexpected-status'),
  };
  loadRows.push(row);
  const n = `${setup.name} load`;
  check(
    `${n}: every client signed in`,
    clients.every((c) => c.logins > 0),
  );
  check(`${n}: no 5xx`, row.status5xx === 0, `${row.status5xx}`);
  check(`${n}: no network errors`, row.networkErrors === 0, `${row.networkErrors}`);
  check(`${n}: no cross-talk`, row.crossTalk === 0, `${row.crossTalk}`);
  check(`${n}: no lost updates`, row.lostUpdates === 0, `${row.lostUpdates}`);
  check(`${n}: no fresh session in place of a live one`, row.wrongFresh === 0, `${row.wrongFresh}`);
  check(`${n}: logins revoke, cookies well-formed`, row.otherFindings === 0, `${row.otherFindings}`);
  if (setup.name === 'cookie') check(`${n}: chunked cookies exercised`, chunked > 0, `${chunked}`);
  for (const f of findings.slice(0, 5)) console.log(`    ${f.kind} (client ${f.client}): ${f.detail}`);
  return clients;
}

async function faultPhase(
  setup: StorageSetup,
  origin: string,
  clients: readonly Client[],
  ledger: Ledger,
  fault: Fault,
) {
  const affected = fault.prepare
    ? await fault.prepare(clients)
    : new Set(clients.map((client) => client.index));
  const firstOutcome = ledger.outcomes.length;
  const firstFinding = ledger.findings.length;
  const lostBefore = new Map(clients.map((c) => [c.index, c.lostByDesign]));
  let stop = false;
  const loops = clients.map(async (client) => {
    for (let step = 0; !stop; step++) await client.step(step);
  });

  await sleep(PLAN.warmMs);
  const faultAt = now();
  // Probes: a new request every PROBE_MS from an affected client, past the gate, so the recovery time is
  // not hidden behind requests that hang in the gate's slots.
  const probed = clients.filter((client) => affected.has(client.index));
  const probes: Promise<void>[] = [];
  const floor: Array<{ start: number; end: number }> = [];
  const floorProbes: Promise<void>[] = [];
  const prober = setInterval(() => {
    const client = probed[probes.length % probed.length];
    if (client) probes.push(client.probe());
    floorProbes.push(floorProbe(origin, floor));
  }, PROBE_MS);
  await fault.inject();
  // A hang must outlast the kit's timeout to show it; other faults show at once. Either way the fault is
  // held until a 503 was seen: how long that takes on a busy host is not the kit's doing.
  await sleep(fault.hangs ? PLAN.holdMs : PLAN.shortHoldMs);
  const shown = (): boolean =>
    ledger.outcomes.slice(firstOutcome).some((o) => o.status === 503 && affected.has(o.client));
  while (!shown() && now() < faultAt + FAULT_SHOW_DEADLINE_MS) await sleep(50);
  const restoreAt = now();
  const readyAt = await fault.restore(ledger);

  const window = (): Outcome[] => ledger.outcomes.slice(firstOutcome);
  const everyAffectedBack = (): boolean => {
    const back = new Set<number>();
    for (const o of window()) if (o.status === 200 && o.start >= readyAt) back.add(o.client);
    return [...affected].every((index) => back.has(index));
  };
  while (now() < readyAt + PLAN.afterMaxMs) {
    if (now() >= readyAt + PLAN.afterMinMs && everyAffectedBack()) break;
    await sleep(100);
  }
  stop = true;
  clearInterval(prober);
  await Promise.all([...loops, ...probes, ...floorProbes]);
  // The slowest storeless round trip among those sent between from and to (0 if none).
  const floorMs = (from: number, to: number): number =>
    floor.reduce((max, f) => (f.start >= from && f.start <= to ? Math.max(max, f.end - f.start) : max), 0);
  // Whoever lost a session by design signs in again before the final read.
  await Promise.all(clients.filter((client) => client.needsLogin).map((client) => client.login()));
  await Promise.all(clients.map((client) => client.verify()));

  const outcomes = window();
  const findings = ledger.findings.slice(firstFinding);
  if (process.env.LOAD_DEBUG) {
    const rel = (t: number) => (t - readyAt).toFixed(0).padStart(6);
    console.log(`    ${fault.name}: fault at ${rel(faultAt)}, restore at ${rel(restoreAt)}, store back at 0`);
    for (const o of outcomes
      .filter((x) => x.end >= restoreAt)
      .sort((x, y) => x.start - y.start)
      .slice(0, 40)) {
      console.log(`    start ${rel(o.start)} end ${rel(o.end)} ${o.status} ${o.route} client ${o.client}`);
    }
  }
  const failed = (o: Outcome): boolean => o.status !== 200;
  const successAfter = outcomes.filter(
    (o) => o.status === 200 && o.start >= restoreAt && affected.has(o.client),
  );
  const firstSuccess = successAfter.reduce((min, o) => Math.min(min, o.end), Number.POSITIVE_INFINITY);
  const lateFailures = outcomes.filter((o) => failed(o) && o.start >= readyAt && affected.has(o.client));
  const lastFailure = lateFailures.reduce((max, o) => Math.max(max, o.start), Number.NEGATIVE_INFINITY);
  // Each 503: its round trip less the slowest storeless one sent while it was in flight.
  const excess503 = outcomes
    .filter((o) => o.status === 503)
    .map((o) => o.end - o.start - floorMs(o.start, o.end));
  const recoveryFloor = Number.isFinite(firstSuccess) ? floorMs(readyAt, firstSuccess) : 0;
  // Over the span up to the end of the failures that started last: a request fails late because the kit
  // still cannot reach the store, or because its store call outlasted the timeout on a starved server.
  const lastFailureEnd = lateFailures
    .filter((o) => o.start === lastFailure)
    .reduce((max, o) => Math.max(max, o.end), lastFailure);
  const lastFailureFloor = Number.isFinite(lastFailure) ? floorMs(readyAt, lastFailureEnd) : 0;
  const lostByDesign = clients.filter((c) => c.lostByDesign > (lostBefore.get(c.index) ?? 0)).length;
  const row: FaultRow = {
    storage: setup.name,
    fault: fault.name,
    affectedClients: affected.size,
    requestsDuringFault: outcomes.filter((o) => o.start >= faultAt && o.start < readyAt).length,
    status503: outcomes.filter((o) => o.status === 503).length,
    other5xx: outcomes.filter((o) => o.status >= 500 && o.status !== 503).length,
    networkErrors: outcomes.filter((o) => o.status === 0).length,
    wrongFresh: count(findings, 'wrong-fresh'),
    crossTalk: count(findings, 'cross-talk'),
    lostUpdates: count(findings, 'lost-update', 'phantom-update'),
    max503Ms: outcomes.reduce((max, o) => (o.status === 503 ? Math.max(max, o.end - o.start) : max), 0),
    max503WaitMs: excess503.reduce((max, ms) => Math.max(max, ms), 0),
    storeReadyMs: readyAt - restoreAt,
    recoveryMs: Number.isFinite(firstSuccess) ? Math.max(0, firstSuccess - readyAt) : null,
    lastFailureMs: Number.isFinite(lastFailure) ? lastFailure - readyAt : null,
    maxFloorMs: floorMs(faultAt, Number.POSITIVE_INFINITY),
    sessionsLost: count(findings, 'session-lost'),
    sessionsLostByDesign: lostByDesign,
    unaffectedFailures: outcomes.filter((o) => failed(o) && !affected.has(o.client)).length,
  };
  faultRows.push(row);

  const n = `${setup.name} fault "${fault.name}"`;
  check(`${n}: the fault produced 503s`, row.status503 > 0, `${row.status503}`);
  check(`${n}: no 5xx but 503`, row.other5xx === 0, `${row.other5xx}`);
  check(`${n}: no network errors (no crash)`, row.networkErrors === 0, `${row.networkErrors}`);
  check(`${n}: no fresh session in place of a live one`, row.wrongFresh === 0, `${row.wrongFresh}`);
  check(`${n}: no cross-talk`, row.crossTalk === 0, `${row.crossTalk}`);
  check(`${n}: no lost updates`, row.lostUpdates === 0, `${row.lostUpdates}`);
  check(
    `${n}: first success within ${RECOVERY_MS} ms of the store being back`,
    row.recoveryMs !== null && row.recoveryMs - recoveryFloor <= RECOVERY_MS,
    `${row.recoveryMs?.toFixed(0)} ms, of which up to ${recoveryFloor.toFixed(0)} ms the server's own`,
  );
  check(
    `${n}: no failure later than ${RECOVERY_MS} ms after the store is back`,
    row.lastFailureMs === null || row.lastFailureMs - lastFailureFloor <= RECOVERY_MS,
    `${row.lastFailureMs?.toFixed(0)} ms, of which up to ${lastFailureFloor.toFixed(0)} ms the server's own`,
  );
  const other = findings.filter((f) => ['not-revoked', 'bad-cookie', 'unexpected-status'].includes(f.kind));
  check(`${n}: no other findings`, other.length === 0, other.map((f) => f.kind).join(','));
  if (fault.losesSessions) {
    check(`${n}: sessions lost by design, and only those`, row.sessionsLost === 0, `${row.sessionsLost}`);
    check(`${n}: clients got a clean fresh session`, lostByDesign > 0, `${lostByDesign}`);
  } else {
    check(`${n}: no session lost`, row.sessionsLost === 0 && lostByDesign === 0, `${row.sessionsLost}`);
  }
  if (fault.hangs) {
    check(
      `${n}: 503 within the ${STORE_TIMEOUT_MS} ms timeout (+${HANG_503_SLACK_MS} ms) beyond the server's own time`,
      row.max503WaitMs <= STORE_TIMEOUT_MS + HANG_503_SLACK_MS,
      `${row.max503WaitMs.toFixed(0)} ms (slowest 503 ${row.max503Ms.toFixed(0)} ms round trip)`,
    );
  }
  if (affected.size < clients.length) {
    check(
      `${n}: clients on the other masters unaffected`,
      row.unaffectedFailures === 0,
      `${row.unaffectedFailures}`,
    );
  }
  for (const f of findings.filter((x) => x.kind !== 'network-error').slice(0, 5)) {
    console.log(`    ${f.kind} (client ${f.client}): ${f.detail}`);
  }
}

/** One storeless request (see FLOOR_PATH), past the gate; records its round trip. */
async function floorProbe(origin: string, into: Array<{ start: number; end: number }>): Promise<void> {
  const start = now();
  try {
    const response = await fetch(`${origin}${FLOOR_PATH}`, { signal: AbortSignal.timeout(30_000) });
    await response.arrayBuffer();
    into.push({ start, end: now() });
  } catch {
    // Not a store request: a failure here is no finding, and no measurement either.
  }
}

// ---- tables -------------------------------------------------------------------------------------------

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const ms = (value: number | null): string => (value === null ? '-' : value.toFixed(0));

// ---- main ---------------------------------------------------------------------------------------------

let current: DemoServer | undefined;
process.on('exit', () => void current?.stop());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void current?.stop();
    process.exit(130);
  });
}

const runStarted = now();
const notes: string[] = [];
console.log(
  `load test, ${quick ? 'quick' : 'full'}: ${PLAN.clients} clients x ${PLAN.steps} steps per storage, ` +
    `${PLAN.faultClients} of them during faults, ` +
    `${inFlight ? `at most ${inFlight} requests in flight` : 'no bound on requests in flight'} ` +
    `(${storages.join(', ')})`,
);
const timings: Record<string, Record<string, number>> = {};
for (const name of storages) {
  const times: Record<string, number> = {};
  timings[name] = times;
  let mark = now();
  const lap = (phase: string): void => {
    times[phase] = Number(((now() - mark) / 1000).toFixed(1));
    mark = now();
  };
  let setup: StorageSetup | undefined;
  try {
    setup = await startStorage(name);
    lap('store start');
    current = await startServer({ secret: newSecret(), env: setup.env });
    lap('server start');
    const ledger = new Ledger();
    if (inFlight > 0) ledger.gate = new Gate(inFlight);
    const clients = await loadPhase(setup, current, ledger);
    lap('load');
    for (const fault of withFaults ? setup.faults : []) {
      await faultPhase(setup, current.origin, clients.slice(0, PLAN.faultClients), ledger, fault);
      lap(fault.name);
      if (!notes.includes(`${fault.name}: ${fault.note}`)) notes.push(`${fault.name}: ${fault.note}`);
    }
    if (withFaults && setup.faults.length > 0) {
      // Every session, including those of clients that sat the faults out, must still be there.
      const before = ledger.findings.length;
      await Promise.all(clients.map((client) => client.verify()));
      const lost = ledger.findings.slice(before);
      const byDesign = setup.faults.some((fault) => fault.losesSessions) ? ' (or lost by design)' : '';
      check(
        `${name}: all ${clients.length} sessions intact after the faults${byDesign}`,
        lost.length === 0,
        `${lost.length}`,
      );
      lap('final read');
    }
    // The body must be read: an unread response keeps its connection busy, and `next start` waits for it
    // on SIGTERM (until stop() sends SIGKILL after 3 s).
    const alive = await fetch(current.url('/login')).then(
      async (res) => {
        await res.arrayBuffer();
        return res.status;
      },
      () => 0,
    );
    check(`${name}: server still answers`, alive === 200, `${alive}`);
    const crashes = current.logs().match(/uncaught|unhandled/gi) ?? [];
    check(`${name}: no uncaught errors in the server log`, crashes.length === 0, crashes.join(','));
  } catch (error) {
    check(`${name}: run`, false, (error as Error).stack ?? String(error));
  } finally {
    if (checks.some((c) => !c.ok) && current) {
      console.log(`  server log (last lines):\n${current.logs().split('\n').slice(-15).join('\n')}`);
    }
    await current?.stop();
    current = undefined;
    await setup?.stop().catch(() => {});
    lap('stop');
  }
  const total = Object.values(times).reduce((a, b) => a + b, 0);
  console.log(
    `  ${name} done in ${total.toFixed(1)} s (${Object.entries(times)
      .map(([phase, seconds]) => `${phase} ${seconds}`)
      .join(', ')})`,
  );
}
const totalSeconds = (now() - runStarted) / 1000;

console.log('\nLoad and isolation');
console.log(
  table(
    [
      'storage',
      'clients',
      'parallel',
      'chunked',
      'requests',
      'time s',
      'req/s',
      'p50 ms',
      'p99 ms',
      '5xx',
      'cross-talk',
      'lost upd',
      'wrong fresh',
    ],
    loadRows.map((r) => [
      r.storage,
      String(r.clients),
      String(r.parallelClients),
      String(r.chunkedClients),
      String(r.requests),
      r.seconds.toFixed(1),
      r.reqPerSec.toFixed(0),
      r.p50Ms.toFixed(1),
      r.p99Ms.toFixed(1),
      String(r.status5xx + r.networkErrors),
      String(r.crossTalk),
      String(r.lostUpdates),
      String(r.wrongFresh),
    ]),
  ),
);
console.log(
  [
    'Each client has its own cookie jar and session (a unique marker as its user), and checks every answer',
    'for its own id and marker. Sequential clients must see their counter equal their acknowledged',
    'increments on every answer and at the end. "parallel" clients send two increments at once, on',
    'different keys (count via /api/session, count2 via /api/load), both of which must survive: only on',
    'the stores (Redis, Cluster, KV, Memcached, PostgreSQL, SQLite), whose saves merge per key. Cookie',
    'clients stay sequential (their concurrent saves are last-write-wins by design). "chunked": cookie',
    'sessions that grew into or shrank',
    'from several cookies on a second login; with a store, the cookie from before that login must be dead.',
    inFlight
      ? `At most ${inFlight} requests are in flight at once over all clients (--in-flight); latency counts from send.`
      : 'Requests in flight are not bounded (--in-flight 0).',
  ].join('\n'),
);

if (faultRows.length > 0) {
  console.log('\nFaults under load');
  console.log(
    table(
      [
        'fault',
        'affected',
        'reqs in fault',
        '503',
        'other 5xx',
        'wrong fresh',
        'max 503 ms',
        'storeless ms',
        'store back ms',
        'recovery ms',
        'last fail ms',
        'sessions lost',
      ],
      faultRows.map((r) => [
        r.fault,
        String(r.affectedClients),
        String(r.requestsDuringFault),
        String(r.status503),
        String(r.other5xx + r.networkErrors),
        String(r.wrongFresh),
        r.max503Ms.toFixed(0),
        r.maxFloorMs.toFixed(0),
        r.storeReadyMs.toFixed(0),
        ms(r.recoveryMs),
        ms(r.lastFailureMs),
        r.sessionsLostByDesign > 0
          ? `${r.sessionsLost} (+${r.sessionsLostByDesign} by design)`
          : String(r.sessionsLost),
      ]),
    ),
  );
  console.log(
    [
      '"store back ms": from the start of the repair to this script seeing the store answer again. "recovery',
      'ms": from then to the first 200 of an affected client; "last fail ms": start of the last failed request',
      `after it (both must be <= ${RECOVERY_MS} once the server's own time is taken off). "storeless ms": the`,
      `slowest round trip of ${FLOOR_PATH} (sent every ${PROBE_MS} ms, never touches the store) during the fault`,
      'and after: what a busy host adds to any answer, taken off the time checks over the same span (a 503 less',
      `the slowest storeless request sent while it was in flight must be <= ${STORE_TIMEOUT_MS} + ${HANG_503_SLACK_MS}).`,
      'Faults are held until a 503 has been seen. A 503 on an increment may still have been applied (a timed-out store',
      'call is not cancelled), so after faults a counter must lie between the acknowledged increments and',
      'those plus the failed ones.',
      ...notes.map((note) => `- ${note}`),
    ].join('\n'),
  );
}

const failedChecks = checks.filter((c) => !c.ok);
const summary = {
  mode: quick ? 'quick' : 'full',
  passed: checks.length - failedChecks.length,
  failed: failedChecks.length,
  seconds: Number(totalSeconds.toFixed(1)),
  plan: { ...PLAN, inFlight },
  timings,
  failures: failedChecks.map((c) => `${c.name}: ${c.detail}`),
  load: loadRows,
  faults: faultRows,
};
if (jsonOut) {
  mkdirSync(dirname(jsonOut), { recursive: true });
  writeFileSync(jsonOut, `${JSON.stringify(summary, null, 2)}\n`);
}
console.log(
  `\n${summary.passed} checks passed, ${summary.failed} failed, ${totalSeconds.toFixed(1)} s in all` +
    `\nLOAD_SUMMARY ${JSON.stringify(summary)}`,
);
process.exit(failedChecks.length > 0 ? 1 : 0);
