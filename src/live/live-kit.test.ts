// The client logic against the real kit in one process: two tabs of one
// browser (FakeBrowser), their snapshot fetches answered by the kit's own
// clientSessionHandler with the cookies the browser holds, and Server
// Actions run through next-session-kit/testing. Only the network between
// them is left out.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestBrowser } from '../entries/testing.ts';
import { createSessionKit } from '../next/kit.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import { FakeBrowser, settle } from '../test-utils/browser-tabs.ts';
import { resolveLive } from './options.ts';
import { COALESCE_MS, type SnapshotSync, startSnapshotSync } from './snapshot-sync.ts';

type Data = { user?: string; count?: number };
type Client = Pick<Data, 'user'>;

const live = { endpoint: '/api/session/client' };
const syncs: SnapshotSync[] = [];

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
});

afterEach(() => {
  for (const sync of syncs.splice(0)) sync.stop();
  vi.useRealTimers();
});

async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await settle();
    vi.advanceTimersByTime(COALESCE_MS);
    await settle();
  }
}

describe('two tabs on the real kit', () => {
  it('B follows A through login, a change of the exposed field, a change of another, and logout', async () => {
    const kit = createSessionKit<Data, Record<string, never>, Client>({
      storage: memoryStorage(),
      expose: ['user'],
      live,
    });
    const cookies = createTestBrowser(); // the cookie jar both tabs share
    const responses: Response[] = [];
    const network = async (url: string, init: RequestInit): Promise<Response> => {
      const request = new Request(new URL(url, 'http://app.test'), init);
      const { result, setCookies } = await cookies.request(() => kit.clientSessionHandler(request));
      expect(setCookies, 'the snapshot route never writes a cookie').toEqual([]);
      if (result === undefined) throw new Error('no response');
      responses.push(result.clone());
      return result;
    };
    const browser = new FakeBrowser();
    const config = resolveLive(live);
    if (config === undefined) throw new Error('live is off');

    /** A tab as the client provider runs it: the server render's snapshot, or a fetched one. */
    const openTab = async () => {
      const tab = browser.openTab(network);
      const page = await cookies.request(() => kit.getClientSession(), { readOnly: true });
      let shown: Client = page.result ?? {};
      const sync = startSnapshotSync(
        config,
        {
          shown: () => JSON.stringify(shown),
          receive: (snapshot) => {
            shown = snapshot;
          },
          warn: (message) => {
            throw new Error(message);
          },
        },
        tab.env,
      );
      syncs.push(sync);
      sync.landed(JSON.stringify(shown));
      return {
        tab,
        shown: () => shown,
        /** A Server Action in this tab, then the re-render Next sends with its response. */
        act: async (action: () => Promise<void>) => {
          await cookies.request(action);
          shown = (await cookies.request(() => kit.getClientSession(), { readOnly: true })).result ?? {};
          sync.landed(JSON.stringify(shown));
        },
      };
    };

    const a = await openTab();
    const b = await openTab();
    await flush();
    expect(b.tab.requests).toHaveLength(0);

    await a.act(async () => {
      const session = await kit.newSession({ userId: 'user-42' });
      session.set('user', 'ada');
      session.set('count', 1);
      await session.save();
    });
    await flush();
    expect(b.shown()).toEqual({ user: 'ada' });

    await a.act(async () => {
      const session = await kit.getSession();
      session.set('user', 'Ada Lovelace');
      await session.save();
    });
    await flush();
    expect(b.shown()).toEqual({ user: 'Ada Lovelace' });

    const fetchedSoFar = b.tab.requests.length;
    await a.act(async () => {
      const session = await kit.getSession();
      session.set('count', 2); // not exposed: A's snapshot is unchanged, nobody is told
      await session.save();
    });
    await flush();
    expect(b.tab.requests).toHaveLength(fetchedSoFar);

    await a.act(() => kit.destroySession());
    await flush();
    expect(b.shown()).toEqual({});
    expect(a.tab.requests).toHaveLength(0);

    for (const response of responses) {
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(body).toMatch(/^\{("user":"[^"]*")?\}$/);
    }
  });
});
