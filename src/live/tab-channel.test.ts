// The line between tabs on the real BroadcastChannel (Node's implements the
// HTML spec's API), and on the storage-event fallback of FakeBrowser.
import { describe, expect, it } from 'vitest';
import { FakeBrowser, settle } from '../test-utils/browser-tabs.ts';
import type { LiveEnvironment } from './environment.ts';
import { openTabChannel } from './tab-channel.ts';

const NAME = `next-session-kit:/api/session/client/${Math.random().toString(36).slice(2)}`;

function realEnvironment(): LiveEnvironment {
  return {
    fetch: () => Promise.reject(new Error('not used')),
    document: Object.assign(new EventTarget(), { visibilityState: 'visible' as const }),
    window: new EventTarget(),
    BroadcastChannel: globalThis.BroadcastChannel,
    storage: () => undefined,
  };
}

describe('openTabChannel on the real BroadcastChannel', () => {
  it("delivers the sender's snapshot to the other tab, and a bare note for an oversized one", async () => {
    const heard: Array<string | undefined> = [];
    let arrived: () => void = () => {};
    const receiver = openTabChannel(
      NAME,
      (snapshot) => {
        heard.push(snapshot);
        if (heard.length === 2) arrived();
      },
      realEnvironment(),
    );
    const sender = openTabChannel(NAME, () => {}, realEnvironment());
    const both = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    sender.post('{"user":"ada"}');
    sender.post(JSON.stringify({ user: 'x'.repeat(70 * 1024) }));
    await both;
    expect(heard).toEqual(['{"user":"ada"}', undefined]);
    sender.close();
    receiver.close();
    expect(() => sender.post('{}'), 'posting after close is not an error').not.toThrow();
  });
});

describe('openTabChannel on the storage event', () => {
  it('one note per post (the removal that follows is not a second), carrying nothing of the session', async () => {
    const browser = new FakeBrowser();
    const fetch = () => Promise.reject(new Error('not used'));
    const a = browser.openTab(fetch, { broadcast: false });
    const b = browser.openTab(fetch, { broadcast: false });
    const heard: Array<string | undefined> = [];
    const channelA = openTabChannel(NAME, () => heard.push('a heard itself'), a.env);
    const channelB = openTabChannel(NAME, (snapshot) => heard.push(snapshot), b.env);
    channelA.post('{"user":"ada"}');
    channelA.post('{"user":"ada"}'); // the same again: still a change of the stored value
    await settle();
    expect(heard).toEqual([undefined, undefined]);
    expect(browser.storage.length).toBe(0);
    for (const written of browser.storage.written) expect(written).not.toContain('ada');

    channelB.close();
    channelA.post('{}');
    await settle();
    expect(heard, 'closed: no listener left').toHaveLength(2);
    channelA.close();
  });

  it('a storage that refuses writes (quota, private mode) fails silently', () => {
    const browser = new FakeBrowser();
    const tab = browser.openTab(() => Promise.reject(new Error('not used')), { broadcast: false });
    const refusing = {
      ...tab.env,
      storage: () =>
        ({
          setItem: () => {
            throw new DOMException('quota', 'QuotaExceededError');
          },
          removeItem: () => {},
        }) as unknown as Storage,
    };
    const channel = openTabChannel(NAME, () => {}, refusing);
    expect(() => channel.post('{}')).not.toThrow();
    channel.close();
  });
});
