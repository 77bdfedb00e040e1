// hasSession() and the unsaved-changes warning, through the kit as an app
// uses it (requests simulated by next-session-kit/testing).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withSessionRequest } from '../entries/testing.ts';
import { MemoryMaps } from '../storage/memory/adapter.ts';
import { memoryStorage, memoryStorageOn } from '../storage/memory-storage.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import { Clock } from '../test-utils/harness.ts';
import { createSessionKit } from './kit.ts';
import { unsavedMessage } from './unsaved.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('hasSession()', () => {
  it('tells whether a valid session exists without creating, writing or touching one', async () => {
    const clock = new Clock(Date.now());
    const maps = new MemoryMaps();
    const storage = memoryStorageOn(maps, { touchAfter: 0 });
    const invalid: string[] = [];
    const kit = createSessionKit<{ user?: string }>({
      storage,
      maxAge: 3600,
      idleTimeout: 600,
      now: clock.now,
      onInvalidSession: (reason) => invalid.push(reason),
    });
    const none = await withSessionRequest({}, () => kit.hasSession());
    expect(none.result).toBe(false);
    expect(none.setCookies).toEqual([]);
    expect(maps.records.size).toBe(0);

    const { cookies } = await withSessionRequest({}, async () => {
      const session = await kit.newSession({ userId: 'ada' });
      expect(await kit.hasSession()).toBe(false); // new and not saved yet
      session.set('user', 'ada');
      await session.save();
      expect(await kit.hasSession()).toBe(true);
    });
    const record = () => [...maps.records.values()][0]?.text;
    const stored = record();
    clock.advance(120); // a getSession() now would refresh the idle TTL (touchAfter: 0)
    const yes = await withSessionRequest({ cookies }, () => kit.hasSession());
    expect(yes.result).toBe(true);
    expect(yes.setCookies).toEqual([]);
    expect(record()).toBe(stored); // no store write, not even a touch

    clock.advance(601); // idle too long
    expect((await withSessionRequest({ cookies }, () => kit.hasSession())).result).toBe(false);
    const forged = { session: `${cookies.session?.slice(1)}A` };
    expect((await withSessionRequest({ cookies: forged }, () => kit.hasSession())).result).toBe(false);
    expect(invalid).toEqual([]); // a peek reports nothing; getSession() would
  });

  it('on cookie storages: true for a valid cookie, false after destroySession()', async () => {
    const kit = createSessionKit({ storage: simpleCookieStorage() });
    const { cookies } = await withSessionRequest({}, async () => {
      const session = await kit.getSession();
      session.set('a', 1);
      await session.save();
    });
    expect((await withSessionRequest({ cookies, readOnly: true }, () => kit.hasSession())).result).toBe(true);
    const ended = await withSessionRequest({ cookies }, async () => {
      await kit.destroySession();
      return kit.hasSession();
    });
    expect(ended.result).toBe(false);
    expect(ended.cookies).toEqual({});
  });
});

describe('unsaved-changes warning', () => {
  const changeWithoutSaving = (kit: ReturnType<typeof createSessionKit>) => async () => {
    const session = await kit.getSession();
    session.set('count', 1);
    session.flash('notice', 'secret value');
  };

  it('names the changed keys and flash keys, never values; nothing when saved or only read', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = createSessionKit({ storage: simpleCookieStorage() });
    await withSessionRequest({}, changeWithoutSaving(kit));
    expect(warn).toHaveBeenCalledTimes(1);
    const message = String(warn.mock.calls[0]?.[0]);
    expect(message).toContain('(count, flash:notice)');
    expect(message).not.toContain('secret value');
    await withSessionRequest({}, async () => {
      const session = await kit.getSession();
      session.set('count', 1);
      await session.save();
    });
    await withSessionRequest({}, async () => (await kit.getSession()).get('count'));
    await withSessionRequest({}, async () => {
      await kit.newSession();
    });
    expect(warn).toHaveBeenCalledTimes(2);
    expect(String(warn.mock.calls[1]?.[0])).toContain('(newSession())');
  });

  it('is not checked in server component renders, which cannot save', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const kit = createSessionKit({ storage: simpleCookieStorage() });
    await withSessionRequest({ readOnly: true }, changeWithoutSaving(kit));
    expect(warn).not.toHaveBeenCalled();
  });

  it("is off in production unless warnUnsaved: 'always'; warnUnsaved: false turns it off everywhere", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    vi.stubEnv('NODE_ENV', 'production');
    await withSessionRequest({}, changeWithoutSaving(createSessionKit({ storage: memoryStorage() })));
    expect(warn).not.toHaveBeenCalled();
    const always = createSessionKit({ storage: memoryStorage(), warnUnsaved: 'always' });
    await withSessionRequest({}, changeWithoutSaving(always));
    expect(warn).toHaveBeenCalledTimes(1);
    vi.stubEnv('NODE_ENV', 'development');
    const off = createSessionKit({ storage: simpleCookieStorage(), warnUnsaved: false });
    await withSessionRequest({}, changeWithoutSaving(off));
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('keeps the message short and printable', () => {
    const many = Array.from({ length: 14 }, (_, i) => `k${i}`);
    expect(unsavedMessage(many)).toContain('k9, … (14 in all)');
    expect(unsavedMessage(['a\nb'])).toContain('(a?b)');
  });
});
