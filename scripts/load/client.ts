import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CookieJar } from './jar.ts';

// The demo's `session` as `next start` (production: Secure) names it.
export const SESSION_COOKIE = '__Host-session';
const REQUEST_TIMEOUT_MS = 30_000;
// Random text that makes an encrypted cookie need two chunks (~3.9 KB each).
const BIG_MARKER_BYTES = 3_000;

export type Violation =
  | 'cross-talk'
  | 'lost-update'
  | 'phantom-update'
  | 'wrong-fresh'
  | 'not-revoked'
  | 'bad-cookie'
  | 'unexpected-status'
  | 'network-error'
  | 'session-lost';

/** One HTTP request, for latency and fault-window figures. Times are `performance.now()` ms. */
export interface Outcome {
  client: number;
  route: string;
  start: number;
  end: number;
  /** 0 when fetch itself failed (connection refused or reset, timeout). */
  status: number;
  /** A fresh session the store was allowed to hand out (it had lost its data by design). */
  freshByDesign: boolean;
}

export interface Finding {
  kind: Violation;
  client: number;
  at: number;
  detail: string;
}

/** At most `limit` requests in flight; the others wait their turn (FIFO). */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async enter(): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1;
      return;
    }
    // The leaving request hands its slot straight over, so `active` stays put.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  leave(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

/** What all clients of one run share: who owns which session id and marker, and what happened. */
export class Ledger {
  readonly idOwners = new Map<string, number>();
  readonly markerOwners = new Map<string, number>();
  readonly outcomes: Outcome[] = [];
  readonly findings: Finding[] = [];
  /**
   * Responses that end after this time may carry a fresh session in place of a live one: set when a store
   * that loses its data on restart (memcached) is started again.
   */
  freshAllowedAfter = Number.POSITIVE_INFINITY;
  /**
   * Bounds the requests in flight over all clients while set, so the server is saturated but requests do
   * not queue in it for seconds. Time waiting here is not counted in a request's latency.
   */
  gate: Gate | undefined;

  flag(kind: Violation, client: number, detail: string): void {
    this.findings.push({ kind, client, at: performance.now(), detail });
  }
}

interface Snapshot {
  id: string;
  isNew: boolean;
  user: string | null;
  count: number;
  count2?: number;
}

function isSnapshot(value: unknown): value is Snapshot {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.isNew === 'boolean' &&
    (typeof v.user === 'string' || v.user === null) &&
    typeof v.count === 'number'
  );
}

/**
 * One counter as one client sees it. `acked` increments were answered 200; `maybe` were answered with an
 * error and may still have been applied (a timed-out store call is not cancelled), so the stored value
 * must lie in [acked, acked + maybe]. Without faults `maybe` is 0 and the check is exact.
 */
class Lane {
  acked = 0;
  maybe = 0;

  check(value: number): 'ok' | 'lost-update' | 'phantom-update' {
    if (value < this.acked) return 'lost-update';
    if (value > this.acked + this.maybe) return 'phantom-update';
    return 'ok';
  }
}

interface Reply {
  status: number;
  snapshot: Snapshot | undefined;
  outcome: Outcome;
  /** The session cookie's (reassembled) value changed. */
  cookieChanged: boolean;
}

export interface ClientOptions {
  index: number;
  origin: string;
  ledger: Ledger;
  /** Cookie holds a token that must never change between logins (store storages). */
  storeBacked: boolean;
  /** Two parallel increments per step, on different keys of the same session. */
  parallel: boolean;
  /** A marker big enough to chunk the encrypted cookie. */
  big: boolean;
  tag: string;
}

/** A browser-like client with its own cookie jar and its own session. */
export class Client {
  readonly index: number;
  readonly parallel: boolean;
  private readonly options: ClientOptions;
  private readonly ledger: Ledger;
  private jar = new CookieJar();
  private big: boolean;
  marker: string;
  id: string | undefined;
  private readonly a = new Lane();
  private readonly b = new Lane();
  needsLogin = true;
  logins = 0;
  lostByDesign = 0;
  /**
   * A second login failed (503, a store timeout): its writes, the old session's revocation among them,
   * may still have been applied (a timed-out store call is not cancelled). Until the next login, a fresh
   * session in place of the old one is by design, as after a memcached restart.
   */
  private loginInDoubt = false;

  constructor(options: ClientOptions) {
    this.options = options;
    this.index = options.index;
    this.parallel = options.parallel;
    this.ledger = options.ledger;
    this.big = options.big;
    this.marker = this.newMarker();
  }

  private newMarker(): string {
    const base = `${this.options.tag}-${this.index}-${randomBytes(6).toString('hex')}`;
    return this.big ? `${base}-${randomBytes(BIG_MARKER_BYTES).toString('base64url')}` : base;
  }

  /** The session cookie's value (with a store: the token). */
  token(): string | undefined {
    const value = this.jar.value(SESSION_COOKIE);
    return value === 'malformed' ? undefined : value;
  }

  /** Cookies the session uses in the jar (2 or more when chunked). */
  cookieParts(): number {
    return this.jar.parts(SESSION_COOKIE);
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    jar = this.jar,
    gated = true,
  ): Promise<Reply> {
    const headers: Record<string, string> = { origin: this.options.origin };
    const cookie = jar.header();
    if (cookie !== undefined) headers.cookie = cookie;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const gate = gated ? this.ledger.gate : undefined;
    await gate?.enter();
    const outcome: Outcome = {
      client: this.index,
      route: `${method} ${path}`,
      start: performance.now(),
      end: 0,
      status: 0,
      freshByDesign: false,
    };
    this.ledger.outcomes.push(outcome);
    const before = jar.value(SESSION_COOKIE);
    let snapshot: Snapshot | undefined;
    try {
      const response = await fetch(`${this.options.origin}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      outcome.status = response.status;
      jar.apply(response);
      if (response.status === 200) {
        const parsed: unknown = JSON.parse(text);
        if (isSnapshot(parsed)) snapshot = parsed;
      }
    } catch (error) {
      this.ledger.flag('network-error', this.index, `${outcome.route}: ${(error as Error).message}`);
    }
    outcome.end = performance.now();
    gate?.leave();
    const after = jar.value(SESSION_COOKIE);
    if (after === 'malformed') this.ledger.flag('bad-cookie', this.index, 'session chunks left inconsistent');
    const status = outcome.status;
    if (status !== 200 && status !== 0 && !(status === 503 && this.options.storeBacked)) {
      this.ledger.flag('unexpected-status', this.index, `${outcome.route} answered ${status}`);
    }
    if (status === 200 && snapshot === undefined) {
      this.ledger.flag('unexpected-status', this.index, `${outcome.route}: 200 without a session snapshot`);
    }
    return { status, snapshot, outcome, cookieChanged: before !== after };
  }

  /** Signs in as `marker` (a new session); true when it worked. */
  async login(): Promise<boolean> {
    // The marker's first part is unique on its own and short enough for a user id.
    const reply = await this.send('POST', '/api/load', {
      login: this.marker.slice(0, 64),
      user: this.marker,
    });
    const snap = reply.snapshot;
    if (reply.status !== 200 || snap === undefined) return false;
    const owner = this.ledger.idOwners.get(snap.id);
    if (owner !== undefined) {
      this.ledger.flag('cross-talk', this.index, `login returned the existing session of client ${owner}`);
      return false;
    }
    if (snap.user !== this.marker || snap.count !== 0 || snap.count2 !== 0) {
      this.ledger.flag('cross-talk', this.index, 'login returned data this client did not write');
      return false;
    }
    const token = this.jar.value(SESSION_COOKIE);
    if (token === undefined || token === 'malformed') {
      this.ledger.flag('bad-cookie', this.index, 'login set no usable session cookie');
      return false;
    }
    this.ledger.idOwners.set(snap.id, this.index);
    this.ledger.markerOwners.set(this.marker, this.index);
    this.id = snap.id;
    for (const lane of [this.a, this.b]) {
      lane.acked = 0;
      lane.maybe = 0;
    }
    this.needsLogin = false;
    this.loginInDoubt = false;
    this.logins += 1;
    return true;
  }

  /**
   * Signs in again with a marker of the other size, so the encrypted cookie grows into chunks or shrinks
   * back to one cookie (the jar must drop the surplus). With a store, the old cookie must then be dead.
   */
  async relogin(): Promise<void> {
    const oldJar = this.jar.clone();
    const oldId = this.id;
    const [oldBig, oldMarker] = [this.big, this.marker];
    this.big = !this.big;
    this.marker = this.newMarker();
    if (!(await this.login())) {
      // Not signed in as the new marker: the old session is still this client's, unless the failed
      // login's revocation reached the store after all.
      [this.big, this.marker] = [oldBig, oldMarker];
      this.loginInDoubt = true;
      return;
    }
    if (!this.options.storeBacked) return;
    const replay = await this.send('GET', '/api/session', undefined, oldJar);
    const snap = replay.snapshot;
    if (replay.status === 200 && snap !== undefined && (!snap.isNew || snap.id === oldId)) {
      this.ledger.flag('not-revoked', this.index, 'the cookie from before the new login still works');
    }
  }

  /**
   * Whether a 200 answer belongs to this client's live session. Anything else is cross-talk (another
   * client's id or marker), a fresh session the store may hand out by design (memcached restarted), or a
   * fresh session issued in place of a live one.
   */
  private owns(reply: Reply): boolean {
    const snap = reply.snapshot;
    if (snap === undefined) return false;
    if (snap.id === this.id && !snap.isNew && snap.user === this.marker) {
      if (reply.cookieChanged && this.options.storeBacked) {
        this.ledger.flag('wrong-fresh', this.index, `${reply.outcome.route} replaced the session cookie`);
        return false;
      }
      return true;
    }
    const idOwner = this.ledger.idOwners.get(snap.id);
    const markerOwner = snap.user === null ? undefined : this.ledger.markerOwners.get(snap.user);
    const foreign = [idOwner, markerOwner].find((owner) => owner !== undefined && owner !== this.index);
    if (foreign !== undefined) {
      this.ledger.flag('cross-talk', this.index, `${reply.outcome.route} showed client ${foreign}'s session`);
    } else if (
      snap.isNew &&
      snap.user === null &&
      (reply.outcome.end >= this.ledger.freshAllowedAfter || this.loginInDoubt)
    ) {
      reply.outcome.freshByDesign = true;
      this.lostByDesign += 1;
      this.needsLogin = true;
    } else {
      this.ledger.flag(
        'wrong-fresh',
        this.index,
        `${reply.outcome.route} answered session ${snap.isNew ? 'new' : 'other'} instead of the live one`,
      );
    }
    return false;
  }

  private failed(reply: Reply): void {
    if (reply.cookieChanged) {
      this.ledger.flag(
        'wrong-fresh',
        this.index,
        `${reply.outcome.route} answered ${reply.status} and changed the cookie`,
      );
    }
  }

  private checkLane(lane: Lane, value: number | undefined, what: string, route: string): void {
    if (value === undefined) return;
    const verdict = lane.check(value);
    if (verdict !== 'ok') {
      this.ledger.flag(
        verdict,
        this.index,
        `${route}: ${what}=${value}, acked ${lane.acked} (+${lane.maybe}?)`,
      );
    }
  }

  private async increment(lane: 'a' | 'b'): Promise<void> {
    const counter = lane === 'a' ? this.a : this.b;
    const reply =
      lane === 'a' ? await this.send('POST', '/api/session') : await this.send('POST', '/api/load', {});
    if (reply.status !== 200) {
      counter.maybe += 1;
      this.failed(reply);
      return;
    }
    if (!this.owns(reply)) return;
    counter.acked += 1;
    const snap = reply.snapshot;
    this.checkLane(
      counter,
      lane === 'a' ? snap?.count : snap?.count2,
      lane === 'a' ? 'count' : 'count2',
      reply.outcome.route,
    );
  }

  private async read(path: '/api/session' | '/api/load'): Promise<boolean> {
    const reply = await this.send('GET', path);
    if (reply.status !== 200) {
      this.failed(reply);
      return false;
    }
    if (!this.owns(reply)) return false;
    this.checkLane(this.a, reply.snapshot?.count, 'count', reply.outcome.route);
    this.checkLane(this.b, reply.snapshot?.count2, 'count2', reply.outcome.route);
    return true;
  }

  /** One step of load: log in when needed, else increment (both lanes in parallel) or read. */
  async step(n: number): Promise<void> {
    if (this.needsLogin) {
      await this.login();
      return;
    }
    if (this.parallel) {
      await Promise.all([this.increment('a'), this.increment('b')]);
    } else if ((n * 7 + this.index) % 10 < 7) {
      await this.increment('a');
    } else {
      await this.read('/api/session');
    }
  }

  /**
   * A read next to the client's own requests, past the gate: checks the identity only, since an increment
   * of this client may be in flight.
   */
  async probe(): Promise<void> {
    if (this.needsLogin) return;
    const reply = await this.send('GET', '/api/session', undefined, this.jar, false);
    if (reply.status === 200) this.owns(reply);
    else this.failed(reply);
  }

  /** Reads the session once more: same id, same marker, both counters within bounds. */
  async verify(): Promise<void> {
    if (this.needsLogin) return;
    const findings = this.ledger.findings.length;
    const ok = await this.read('/api/load');
    const reason = this.ledger.findings.slice(findings).map((f) => f.kind);
    if (!ok && !this.needsLogin)
      this.ledger.flag('session-lost', this.index, `final read: ${reason.join(', ')}`);
  }
}
