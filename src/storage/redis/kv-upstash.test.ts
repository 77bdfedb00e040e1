// docs/stores.md says `kvStorage({ client })` takes `new Redis({ url, token })` from
// @upstash/redis as well as @vercel/kv's client. Here that client, as an app creates it,
// goes through the public factory and a kit, against the local Upstash-compatible REST
// bridge (test/servers/kv-bridge.ts); the conformance suite runs its adapter in
// src/storage/store/kit-stores.test.ts.
import { Redis } from '@upstash/redis';
import { createClient } from '@vercel/kv';
import { describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../../test/servers/isolation.ts';
import { kvStorage } from '../../entries/kv.ts';
import { createTestBrowser, withSessionRequest } from '../../entries/testing.ts';
import { createSessionKit } from '../../next/kit.ts';

type Data = { user?: string; count?: number; id?: number; tags?: string[] };

describe('kvStorage with an @upstash/redis client', () => {
  const servers = inject('servers');
  const upstash = new Redis({ url: servers.kv.url, token: servers.kv.token, enableTelemetry: false });

  it('signs in, reads, saves, lists and signs out through new Redis({ url, token }) from @upstash/redis', async () => {
    const kit = createSessionKit<Data>({
      storage: kvStorage({ client: upstash, keyPrefix: uniquePrefix('upstash') }),
      idleTimeout: 600,
    });
    const browser = createTestBrowser();
    await browser.request(async () => {
      const session = await kit.newSession({ userId: 'ada' });
      session.set('user', 'ada');
      // Values Upstash's client would JSON-parse on the way back, were they stored as is.
      session.set('id', 42);
      session.set('tags', ['1', 'true', 'null']);
      await session.save();
    });
    const token = browser.cookies.get('session') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await browser.request(async () => {
      const session = await kit.getSession();
      expect(session.isNew).toBe(false);
      expect(session.data).toEqual({ user: 'ada', id: 42, tags: ['1', 'true', 'null'] });
      session.set('count', 1);
      await session.save();
    });
    const read = await browser.request(async () => (await kit.getSession()).get('count'), { readOnly: true });
    expect(read.result).toBe(1);

    const listed = await withSessionRequest({ cookies: browser.cookies }, () => kit.listUserSessions('ada'));
    expect(listed.result?.map((s) => s.current)).toEqual([true]);

    await browser.request(() => kit.destroySession());
    const replay = await withSessionRequest({ cookies: { session: token } }, async () => {
      return (await kit.getSession()).isNew;
    });
    expect(replay.result, 'the replayed cookie after logout').toBe(true);
  });

  it('reads what the @vercel/kv client wrote, and the other way round: one store, either client', async () => {
    const keyPrefix = uniquePrefix('upstash-vercel');
    const viaUpstash = createSessionKit<Data>({ storage: kvStorage({ client: upstash, keyPrefix }) });
    const viaVercel = createSessionKit<Data>({
      storage: kvStorage({
        client: createClient({ url: servers.kv.url, token: servers.kv.token }),
        keyPrefix,
      }),
    });
    const browser = createTestBrowser();
    await browser.request(async () => {
      const session = await viaVercel.newSession({ userId: 'grace' });
      session.set('user', 'grace');
      await session.save();
    });
    await browser.request(async () => {
      const session = await viaUpstash.getSession();
      expect(session.get('user')).toBe('grace');
      session.set('count', 7);
      await session.save();
    });
    const back = await browser.request(async () => (await viaVercel.getSession()).data, { readOnly: true });
    expect(back.result).toEqual({ user: 'grace', count: 7 });
  });
});
