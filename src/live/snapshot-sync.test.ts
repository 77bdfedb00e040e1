// The client logic of the `live` option, tab against tab: FakeBrowser gives
// each tab the browser's BroadcastChannel, localStorage, visibility and focus
// (after their specs); the network is a small server of the exposed
// snapshot. Timers are fake, so "nothing is fetched" is a fact, not a wait.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowser, type FakeTab, settle } from '../test-utils/browser-tabs.ts';
import { type LiveSessionOptions, resolveLive } from './options.ts';
import { FETCH_TIMEOUT_MS } from './snapshot-fetch.ts';
import { COALESCE_MS, type SnapshotSync, startSnapshotSync } from './snapshot-sync.ts';

const ENDPOINT = '/api/session/client';
type Snapshot = Record<string, unknown>;

/** The server side as the tabs see it: the current snapshot, or a failure. */
class Server {
  snapshot: Snapshot = {};
  answer: 'ok' | 'down' | 'offline' | 'hang' | Response = 'ok';
  /** Fetches answered so far (resolved, not merely sent). */
  served = 0;
  /** Holds every answer until release() when set. */
  #held: Array<() => void> | undefined;

  fetch = async (_url: string, init: RequestInit): Promise<Response> => {
    const answer = this.answer;
    const snapshot = JSON.stringify(this.snapshot); // read when the request arrives
    if (this.#held !== undefined) await new Promise<void>((resolve) => this.#held?.push(resolve));
    if (answer === 'offline') throw new TypeError('Failed to fetch');
    if (answer === 'hang') {
      return new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
      });
    }
    this.served++;
    if (answer === 'down') return Response.json({ error: 'session store unavailable' }, { status: 503 });
    if (answer instanceof Response) return answer.clone();
    return new Response(snapshot, { headers: { 'content-type': 'application/json' } });
  };

  hold(): void {
    this.#held = [];
  }

  async release(): Promise<void> {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const resume of held) resume();
    await settle();
  }
}

/**
 * A tab showing what the client provider would: the last server render, or
 * the last snapshot it fetched since.
 */
interface Follower {
  tab: FakeTab;
  sync: SnapshotSync;
  shown(): Snapshot;
  received: Snapshot[];
  warnings: string[];
  /** A server render (page load, Server Action) hands this tab `value`. */
  render(value: Snapshot): void;
}

function follow(tab: FakeTab, initial: Snapshot, live: Partial<LiveSessionOptions> = {}): Follower {
  let shown = initial;
  const received: Snapshot[] = [];
  const warnings: string[] = [];
  const config = resolveLive({ endpoint: ENDPOINT, ...live });
  if (config === undefined) throw new Error('live is off');
  const sync = startSnapshotSync(
    config,
    {
      shown: () => JSON.stringify(shown),
      receive: (snapshot) => {
        shown = snapshot;
        received.push(snapshot);
      },
      warn: (message) => warnings.push(message),
    },
    tab.env,
  );
  const render = (value: Snapshot) => {
    shown = value;
    sync.landed(JSON.stringify(value));
  };
  render(initial);
  return { tab, sync, shown: () => shown, received, warnings, render };
}

/** Lets queued notes arrive, the coalescing delay pass, and the fetches it starts complete. */
async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await settle();
    vi.advanceTimersByTime(COALESCE_MS);
    await settle();
  }
}

let browser: FakeBrowser;
let server: Server;
const syncs: SnapshotSync[] = [];

function tabFollowing(initial: Snapshot, live: Partial<LiveSessionOptions> = {}, broadcast = true): Follower {
  const follower = follow(browser.openTab(server.fetch, { broadcast }), initial, live);
  syncs.push(follower.sync);
  return follower;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
  browser = new FakeBrowser();
  server = new Server();
});

afterEach(() => {
  for (const sync of syncs.splice(0)) sync.stop();
  vi.useRealTimers();
});

describe('a change in one tab reaches the others', () => {
  it('login, rename and logout in A: B fetches once per change and shows it; A fetches nothing', async () => {
    const a = tabFollowing({});
    const b = tabFollowing({});
    await flush();
    expect(b.tab.requests, 'both tabs loaded showing the same: nothing to fetch').toHaveLength(0);

    for (const next of [{ user: 'ada' }, { user: 'Ada Lovelace' }, {}]) {
      const before = b.tab.requests.length;
      server.snapshot = next;
      a.render(next); // A's Server Action landed
      await flush();
      expect(b.shown()).toEqual(next);
      expect(b.tab.requests.length - before, JSON.stringify(next)).toBe(1);
    }
    expect(a.tab.requests).toHaveLength(0);
    expect(b.received).toEqual([{ user: 'ada' }, { user: 'Ada Lovelace' }, {}]);
  });

  it('the fetch: GET of the endpoint, same-origin credentials, no cache, the snapshot header, no redirects', async () => {
    const a = tabFollowing({});
    const b = tabFollowing({});
    server.snapshot = { user: 'ada' };
    a.render({ user: 'ada' });
    await flush();
    const [request] = b.tab.requests;
    expect(request?.url).toBe(ENDPOINT);
    expect(request?.init).toMatchObject({
      method: 'GET',
      credentials: 'same-origin',
      cache: 'no-store',
      redirect: 'manual',
      headers: { accept: 'application/json', 'x-session-kit': 'snapshot' },
    });
    expect(request?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it('a tab that loads (or re-renders) with what B already shows costs B nothing', async () => {
    const b = tabFollowing({ user: 'ada' });
    tabFollowing({ user: 'ada' }); // a new tab, same session
    const c = tabFollowing({ user: 'ada' });
    c.render({ user: 'ada' }); // router.refresh() with nothing new: not even announced
    await flush();
    expect(b.tab.requests).toHaveLength(0);

    // A page load that shows something else (a login whose redirect loaded the page): B catches up.
    server.snapshot = { user: 'grace' };
    tabFollowing({ user: 'grace' });
    await flush();
    expect(b.shown()).toEqual({ user: 'grace' });
    expect(b.tab.requests).toHaveLength(1);
  });

  it('B takes what the server says, not what the other tab announced', async () => {
    const a = tabFollowing({});
    const b = tabFollowing({});
    server.snapshot = { user: 'grace' }; // changed again meanwhile (another device)
    a.render({ user: 'ada' });
    await flush();
    expect(b.shown()).toEqual({ user: 'grace' });
  });

  it('a burst of changes while B fetches: one more fetch afterwards, never one per change', async () => {
    const a = tabFollowing({});
    const b = tabFollowing({});
    server.hold();
    server.snapshot = { user: 'v1' };
    a.render({ user: 'v1' });
    await flush(); // B's fetch is under way, held by the server
    expect(b.tab.requests).toHaveLength(1);
    for (let i = 2; i <= 6; i++) {
      server.snapshot = { user: `v${i}` };
      a.render({ user: `v${i}` });
    }
    await flush();
    expect(b.tab.requests, 'one at a time').toHaveLength(1);
    await server.release(); // the first answer (v1, read before the burst) arrives
    await flush();
    await server.release();
    await flush();
    expect(b.tab.requests).toHaveLength(2);
    expect(b.shown()).toEqual({ user: 'v6' });
  });

  it("a server render landing while B's own fetch is under way: the fetch is asked again, not trusted", async () => {
    const a = tabFollowing({});
    const b = tabFollowing({});
    server.hold();
    server.snapshot = { user: 'ada' };
    a.render({ user: 'ada' });
    await flush();
    // B's own Server Action (a rename) lands while its fetch (which read "ada") is held.
    server.snapshot = { user: 'Ada L.' };
    b.render({ user: 'Ada L.' });
    await server.release();
    await flush();
    expect(b.received, 'the held answer (older than the render) is dropped').not.toContainEqual({
      user: 'ada',
    });
    await server.release();
    await flush();
    expect(b.shown()).toEqual({ user: 'Ada L.' });
    expect(b.tab.requests).toHaveLength(2);
  });
});

describe('visibility and focus', () => {
  it('a hidden tab fetches nothing; what it missed is fetched once when it shows again', async () => {
    const a = tabFollowing({});
    const b = tabFollowing({}, { focus: false }); // only the missed change may fetch here
    b.tab.hide();
    for (const user of ['ada', 'Ada Lovelace']) {
      server.snapshot = { user };
      a.render({ user });
    }
    await flush();
    vi.advanceTimersByTime(60_000);
    await flush();
    expect(b.tab.requests).toHaveLength(0);
    expect(b.shown()).toEqual({});

    b.tab.show();
    await flush();
    expect(b.tab.requests).toHaveLength(1);
    expect(b.shown()).toEqual({ user: 'Ada Lovelace' });
  });

  it('coming back into view or getting the focus refetches (a change no tab announced: another device)', async () => {
    const b = tabFollowing({ user: 'ada' });
    b.tab.hide();
    server.snapshot = {}; // signed out elsewhere
    await flush();
    b.tab.show(); // visibilitychange, then focus: one fetch
    await flush();
    expect(b.tab.requests).toHaveLength(1);
    expect(b.shown()).toEqual({});

    server.snapshot = { user: 'grace' };
    b.tab.focus(); // another window was in front; this one is visible all along
    await flush();
    expect(b.tab.requests).toHaveLength(2);
    expect(b.shown()).toEqual({ user: 'grace' });
  });

  it('focus: false leaves focus and visibility alone when nothing was missed', async () => {
    const b = tabFollowing({ user: 'ada' }, { focus: false });
    b.tab.hide();
    b.tab.show();
    b.tab.focus();
    await flush();
    expect(b.tab.requests).toHaveLength(0);
  });

  it('a page restored from the back/forward cache, or back online, refetches', async () => {
    const b = tabFollowing({ user: 'ada' }, { focus: false });
    b.tab.window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }));
    await flush();
    expect(b.tab.requests, 'a first load has its snapshot already').toHaveLength(0);
    b.tab.window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    await flush();
    expect(b.tab.requests).toHaveLength(1);
    b.tab.window.dispatchEvent(new Event('online'));
    await flush();
    expect(b.tab.requests).toHaveLength(2);
  });

  it('interval: polls while visible only; none by default', async () => {
    const quiet = tabFollowing({});
    const polling = tabFollowing({}, { interval: 60 });
    for (let minute = 0; minute < 3; minute++) {
      vi.advanceTimersByTime(60_000);
      await flush();
    }
    expect(quiet.tab.requests).toHaveLength(0);
    expect(polling.tab.requests).toHaveLength(3);

    polling.tab.hide();
    vi.advanceTimersByTime(60_000 * 5);
    await flush();
    expect(polling.tab.requests).toHaveLength(3);
    polling.tab.show();
    await flush();
    expect(polling.tab.requests, 'one catch-up, not one per missed tick').toHaveLength(4);
  });
});

describe('failures leave the last value', () => {
  it('store outage (503), offline and a hung request: nothing changes, nothing throws, the next works', async () => {
    const a = tabFollowing({ user: 'ada' });
    const b = tabFollowing({ user: 'ada' });
    for (const answer of ['down', 'offline', 'hang'] as const) {
      server.answer = answer;
      b.tab.focus();
      await flush();
      if (answer === 'hang') {
        vi.advanceTimersByTime(FETCH_TIMEOUT_MS);
        await flush();
      }
      expect(b.shown(), answer).toEqual({ user: 'ada' });
    }
    expect(b.tab.requests).toHaveLength(3);
    expect(b.warnings, 'outages are not misconfiguration').toEqual([]);

    server.answer = 'ok';
    server.snapshot = {};
    a.render({});
    await flush();
    expect(b.shown()).toEqual({});
  });

  it('a misconfigured endpoint (404, a redirect, HTML, not an object) keeps the value and warns once', async () => {
    const answers = [
      new Response('Not found', { status: 404 }),
      new Response(null, { status: 307, headers: { location: '/login?next=/api/session/client' } }),
      new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
      Response.json(['ada']),
    ];
    for (const answer of answers) {
      const b = tabFollowing({ user: 'ada' });
      server.answer = answer;
      b.tab.focus();
      await flush();
      b.tab.focus();
      await flush();
      expect(b.shown()).toEqual({ user: 'ada' });
      expect(b.warnings, String(answer.status)).toHaveLength(1);
      expect(b.warnings[0]).toContain(ENDPOINT);
      expect(b.warnings[0]).toContain('clientSessionHandler');
    }
  });
});

describe('stop()', () => {
  it('no fetch, no delivery and no listener afterwards, even for a fetch under way', async () => {
    const a = tabFollowing({});
    const b = tabFollowing({}, { interval: 60 });
    server.hold();
    server.snapshot = { user: 'ada' };
    a.render({ user: 'ada' });
    await flush();
    expect(b.tab.requests).toHaveLength(1);
    b.sync.stop();
    await server.release();
    expect(b.received).toEqual([]);

    a.render({ user: 'grace' });
    b.tab.focus();
    b.tab.hide();
    b.tab.show();
    vi.advanceTimersByTime(600_000);
    await flush();
    expect(b.tab.requests).toHaveLength(1);
    b.sync.stop(); // twice is fine
  });
});

describe('without BroadcastChannel: the storage event', () => {
  it('carries the news, and nothing of the session reaches localStorage', async () => {
    const a = tabFollowing({}, {}, false);
    const b = tabFollowing({}, {}, false);
    await flush(); // B's first render was announced too: a bare note, so A fetched once
    const before = { a: a.tab.requests.length, b: b.tab.requests.length };
    server.snapshot = { user: 'ada' };
    a.render({ user: 'ada' });
    await flush();
    expect(b.shown()).toEqual({ user: 'ada' });
    expect(b.tab.requests.length - before.b).toBe(1);
    expect(a.tab.requests.length, 'the writing tab hears no event of its own').toBe(before.a);

    expect(browser.storage.length, 'the note is removed at once').toBe(0);
    expect(browser.storage.written.length).toBeGreaterThan(0);
    for (const written of browser.storage.written) expect(written).not.toMatch(/ada|user/);
  });

  it('a browser with neither (storage disabled) still works in its own tab and throws nothing', async () => {
    const lone = follow(browser.openTab(server.fetch, { broadcast: false, storage: false }), {});
    syncs.push(lone.sync);
    server.snapshot = { user: 'ada' };
    expect(() => lone.render({ user: 'ada' })).not.toThrow();
    lone.tab.focus();
    await flush();
    expect(lone.shown()).toEqual({ user: 'ada' });
  });

  it('notes that are not the kit’s are ignored', async () => {
    const b = tabFollowing({});
    const Channel = browser.channelClass();
    const stranger = new Channel(`next-session-kit:${ENDPOINT}`);
    for (const junk of [null, 'changed', { v: 2 }, [1], 42]) stranger.postMessage(junk);
    browser.storage.setItem(`next-session-kit:${ENDPOINT}`, 'not a note');
    await flush();
    expect(b.tab.requests).toHaveLength(0);
    stranger.close();
  });
});
