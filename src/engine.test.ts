import { describe, expect, it, vi } from 'vitest';
import { SessionTooLargeError } from './errors.ts';
import { encryptedCookieStorage } from './storage/encrypted-cookie.ts';
import { TestBrowser } from './test-utils/browser.ts';
import { forgeCookie } from './test-utils/forge.ts';
import { Clock, Harness } from './test-utils/harness.ts';

const SECRET = 'a-test-secret-that-is-long-enough-0001';
const OTHER = 'another-secret-that-is-long-enough-0002';
type Data = { user?: string; count?: number; nested?: { n: number }; blob?: string };

function kit(
  options: { secret?: string | string[]; idleTimeout?: number; maxAge?: number; clock?: Clock } = {},
) {
  const { secret = SECRET, clock, ...rest } = options;
  return new Harness<Data>({ storage: encryptedCookieStorage({ secret }), ...rest }, clock);
}

describe('session semantics (aiohttp-session checklist, adapted)', () => {
  it('creates a new, empty, unchanged session and writes nothing for it', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      expect(s.isNew).toBe(true);
      expect(s.isChanged).toBe(false);
      expect(Object.keys(s.data)).toEqual([]);
      await s.save();
    });
    expect(browser.lastSetCookie).toEqual([]);
    expect(browser.cookies.size).toBe(0);
  });

  it('an untouched session sets no cookie (no save requested)', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, () => undefined);
    expect(browser.lastSetCookie).toEqual([]);
  });

  it('loads an existing session with its data, not new', async () => {
    const h = kit();
    const browser = new TestBrowser();
    const id = await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
      return s.id;
    });
    await h.request(browser, (s) => {
      expect(s.isNew).toBe(false);
      expect(s.id).toBe(id);
      expect(s.get('user')).toBe('ada');
      expect(s.data).toEqual({ user: 'ada' });
      expect(s.has('user')).toBe(true);
      expect(s.has('count')).toBe(false);
    });
  });

  it('save() on an unchanged loaded session writes nothing', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
    });
    await h.request(browser, async (s) => {
      expect(s.get('count')).toBe(1);
      await s.save();
    });
    expect(browser.lastSetCookie).toEqual([]);
  });

  it('set/delete/clear mark changed; setting then saving twice writes once per change', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      expect(s.isChanged).toBe(true);
      await s.save();
      expect(s.isChanged).toBe(false);
      await s.save();
    });
    // One save: the cookie, and `session.0` expired in case a concurrent request wrote chunks.
    expect(browser.lastWrites.map((w) => [w.name, w.options.maxAge > 0])).toEqual([
      ['session', true],
      ['session.0', false],
    ]);
    await h.request(browser, async (s) => {
      s.delete('user'); // absent: no change
      expect(s.isChanged).toBe(false);
      s.delete('count');
      expect(s.isChanged).toBe(true);
    });
  });

  it('mutating a nested value does not mark it changed; changed() does', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('nested', { n: 1 });
      await s.save();
    });
    await h.request(browser, async (s) => {
      const nested = s.get('nested');
      if (nested) nested.n = 2;
      expect(s.isChanged).toBe(false);
      await s.save();
      expect(browser.lastWrites.length).toBe(0);
      s.changed();
      await s.save();
    });
    await h.request(browser, (s) => expect(s.get('nested')).toEqual({ n: 2 }));
  });

  it('data is a read-only view that follows changes', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, (s) => {
      const view = s.data as Record<string, unknown>;
      s.set('count', 3);
      expect(view.count).toBe(3);
      expect(() => {
        view.count = 4;
      }).toThrow(TypeError);
      expect(() => {
        delete view.count;
      }).toThrow(TypeError);
      expect(JSON.stringify(view)).toBe('{"count":3}');
      expect({ ...view }).toEqual({ count: 3 });
    });
  });

  it('createdAt is the real creation time: writes do not move it', async () => {
    const clock = new Clock();
    const h = kit({ clock });
    const browser = new TestBrowser();
    const created = clock.ms;
    await h.request(browser, async (s) => {
      expect(s.createdAt).toBe(created);
      s.set('count', 1);
      await s.save();
    });
    clock.advance(3600);
    await h.request(browser, async (s) => {
      s.set('count', 2);
      await s.save();
    });
    await h.request(browser, (s) => expect(s.createdAt).toBe(created));
  });

  it('clear() empties an existing session and save() deletes its cookie', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    await h.request(browser, async (s) => {
      s.clear();
      await s.save();
    });
    expect(browser.cookies.size).toBe(0);
    expect(browser.lastSetCookie[0]).toMatch(/^session=; /);
  });

  it('invalidate() ends the identity, clears the cookie with the same attributes', async () => {
    const h = new Harness<Data>({
      storage: encryptedCookieStorage({ secret: SECRET }),
      cookieName: '__Host-sid',
      cookie: { sameSite: 'strict' },
    });
    const browser = new TestBrowser();
    const id = await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
      return s.id;
    });
    expect(browser.lastSetCookie[0]).toMatch(/; Secure/);
    await h.request(browser, async (s) => {
      s.invalidate();
      expect(s.id).not.toBe(id);
      expect(s.isNew).toBe(true);
      expect(s.data).toEqual({});
      await s.save();
    });
    expect(browser.cookies.size).toBe(0);
    const line = browser.lastSetCookie[0] ?? '';
    expect(line).toMatch(/^__Host-sid=;/);
    expect(line).toMatch(/Max-Age=0/);
    expect(line).toMatch(/Expires=Thu, 01 Jan 1970 00:00:00 GMT/);
    expect(line).toMatch(/Path=\//);
    expect(line).toMatch(/; Secure/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/SameSite=strict/);
  });

  it('data set after invalidate() is saved under the new identity', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const newId = await h.request(browser, async (s) => {
      s.invalidate();
      s.set('user', 'bob');
      await s.save();
      return s.id;
    });
    await h.request(browser, (s) => {
      expect(s.id).toBe(newId);
      expect(s.data).toEqual({ user: 'bob' });
    });
  });

  it('newSession() gives a fresh identity and replaces the old cookie on save (no fixation)', async () => {
    const h = kit();
    const browser = new TestBrowser();
    const oldId = await h.request(browser, async (s) => {
      s.set('count', 5);
      await s.save();
      return s.id;
    });
    const oldCookie = browser.cookies.get('session');
    const newId = await h.request(browser, async (_s, { newSession }) => {
      const fresh = newSession('user-1');
      expect(fresh.isNew).toBe(true);
      expect(fresh.data).toEqual({});
      expect(fresh.userId).toBe('user-1');
      fresh.set('user', 'ada');
      await fresh.save();
      return fresh.id;
    });
    expect(newId).not.toBe(oldId);
    expect(browser.cookies.get('session')).not.toBe(oldCookie);
    await h.request(browser, (s) => {
      expect(s.id).toBe(newId);
      expect(s.userId).toBe('user-1');
      expect(s.data).toEqual({ user: 'ada' });
    });
  });

  it('newSession() saved with no data and no user clears the old cookie', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
    });
    await h.request(browser, async (_s, { newSession }) => {
      await newSession().save();
    });
    expect(browser.cookies.size).toBe(0);
  });

  it('an empty new session marked changed() still writes nothing (no junk cookie)', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.changed();
      await s.save();
    });
    expect(browser.lastWrites).toEqual([]);
  });

  it('keys named __proto__ or constructor stay plain data', async () => {
    const h = new Harness<Record<string, unknown>>({ storage: encryptedCookieStorage({ secret: SECRET }) });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('__proto__', { polluted: true });
      s.set('constructor', 'x');
      await s.save();
    });
    await h.request(browser, (s) => {
      expect(s.get('__proto__')).toEqual({ polluted: true });
      expect(s.get('constructor')).toBe('x');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getPrototypeOf(s.data)).toBe(null);
    });
  });
});

describe('expiry', () => {
  it('enforces the absolute maxAge on the server from the sealed payload', async () => {
    const clock = new Clock();
    const h = kit({ maxAge: 100, clock });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    clock.advance(90);
    await h.request(browser, async (s) => {
      expect(s.get('user')).toBe('ada');
      s.set('count', 1); // a write does not extend the absolute lifetime
      await s.save();
    });
    clock.advance(16); // 106 s: past 100 s + 5 s skew
    await h.request(browser, (s) => {
      expect(s.isNew).toBe(true);
      expect(s.data).toEqual({});
    });
    expect(h.invalid).toEqual(['expired']);
  });

  it('tolerates a few seconds of clock skew', async () => {
    const clock = new Clock();
    const h = kit({ maxAge: 100, clock });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    clock.advance(103);
    await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
  });

  it('the cookie Max-Age ends slightly before the server-side expiry', async () => {
    const clock = new Clock();
    const h = kit({ maxAge: 60 * 60 * 24 * 14, clock });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
      const write = browser.lastWrites[0];
      expect(write?.options.maxAge).toBe(60 * 60 * 24 * 14 - 60);
      expect(write?.options.expires.getTime()).toBe(clock.ms + (60 * 60 * 24 * 14 - 60) * 1000);
      expect(s.expiresAt).toBe(clock.ms + 60 * 60 * 24 * 14 * 1000);
    });
  });

  it('idleTimeout slides on writes and ends idle sessions', async () => {
    const clock = new Clock();
    const h = kit({ maxAge: 1000, idleTimeout: 100, clock });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
      expect(s.expiresAt).toBe(clock.ms + 100_000);
    });
    for (let i = 2; i <= 5; i++) {
      clock.advance(80);
      await h.request(browser, async (s) => {
        expect(s.get('count')).toBe(i - 1);
        s.set('count', i);
        await s.save();
      });
    }
    clock.advance(80); // active for 400 s, idle for 80 s: still valid
    await h.request(browser, (s) => expect(s.get('count')).toBe(5));
    clock.advance(30); // idle 110 s
    await h.request(browser, (s) => expect(s.isNew).toBe(true));
    expect(h.invalid).toEqual(['expired']);
  });

  it('touch() extends the idle lifetime without changing data', async () => {
    const clock = new Clock();
    const h = kit({ maxAge: 1000, idleTimeout: 100, clock });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
    });
    clock.advance(90);
    await h.request(browser, async (s) => {
      s.touch();
      await s.save();
    });
    clock.advance(90);
    await h.request(browser, (s) => expect(s.get('count')).toBe(1));
  });

  it('idleTimeout never extends past maxAge', async () => {
    const clock = new Clock();
    const h = kit({ maxAge: 150, idleTimeout: 100, clock });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('count', 1);
      await s.save();
    });
    clock.advance(90);
    await h.request(browser, async (s) => {
      s.touch();
      await s.save();
      expect(s.expiresAt).toBe(s.createdAt + 150_000);
    });
    clock.advance(70);
    await h.request(browser, (s) => expect(s.isNew).toBe(true));
  });
});

describe('bad input yields a fresh session and a hook call, never a throw', () => {
  async function seeded() {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    return { h, browser, value: browser.cookies.get('session') ?? '' };
  }

  const cases: Array<[string, (v: string) => string, string]> = [
    ['tampered ciphertext', (v) => flip(v, v.length - 30), 'invalid'],
    ['tampered tag', (v) => flip(v, v.length - 1), 'invalid'],
    ['truncated', (v) => v.slice(0, v.length - 5), 'invalid'],
    ['garbage', () => 'not-a-session', 'invalid'],
    ['empty segments', () => '....', 'invalid'],
    ['json', () => '{"user":"admin"}', 'invalid'],
  ];
  for (const [name, mutate, reason] of cases) {
    it(`${name} → ${reason}`, async () => {
      const { h, browser, value } = await seeded();
      browser.cookies.set('session', mutate(value));
      await h.request(browser, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.data).toEqual({});
      });
      expect(h.invalid).toEqual([reason]);
    });
  }

  it('a cookie sealed with an unknown secret → unknown-key', async () => {
    const { browser } = await seeded();
    const other = kit({ secret: OTHER });
    await other.request(browser, (s) => expect(s.isNew).toBe(true));
    expect(other.invalid).toEqual(['unknown-key']);
  });

  it('a cookie sealed for another cookie name is not accepted under this one', async () => {
    const { browser, value } = await seeded();
    const h2 = new Harness<Data>({
      storage: encryptedCookieStorage({ secret: SECRET }),
      cookieName: 'other',
    });
    browser.cookies.set('other', value);
    await h2.request(browser, (s) => expect(s.isNew).toBe(true));
    expect(h2.invalid.length).toBe(1);
  });

  it('an authentic cookie with a payload of the wrong shape → invalid', async () => {
    const { createJweCodec } = await import('./codec/jwe.ts');
    const codec = createJweCodec({ secrets: [SECRET], salt: 'session' });
    const h = kit();
    for (const payload of [
      '{"a":1}',
      '[1,"x"]',
      '[{},"short"]',
      'null',
      '[{},"AAAAAAAAAAAA",[]]',
      'not json',
    ]) {
      const browser = new TestBrowser();
      browser.cookies.set('session', await codec.seal(payload));
      await h.request(browser, (s) => expect(s.isNew).toBe(true));
    }
    expect(h.invalid).toEqual(Array(6).fill('invalid'));
  });

  it('save() after a rejected cookie clears it even with nothing else to write', async () => {
    const { h, browser } = await seeded();
    browser.cookies.set('session', 'garbage');
    await h.request(browser, async (s) => {
      expect(s.isChanged).toBe(true);
      await s.save();
    });
    expect(browser.cookies.size).toBe(0);
  });

  it('a throwing onInvalidSession hook does not break the request', async () => {
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      const { SessionEngine } = await import('./engine.ts');
      const engine = new SessionEngine({
        storage: encryptedCookieStorage({ secret: SECRET }),
        onInvalidSession: () => {
          throw new Error('hook failed');
        },
      });
      const browser = new TestBrowser();
      browser.cookies.set('session', 'garbage');
      const jar = browser.request();
      const s = await engine.load(jar, async () => {}, false);
      expect(s.isNew).toBe(true);
      expect(errors.length).toBe(1);
    } finally {
      console.error = original;
    }
  });
});

describe('sessions from the future', () => {
  // Only a key holder can write these times into a cookie: a leaked secret, or
  // an old one still in a rotation list. `maxAge` counts from createdAt and the
  // idle timeout from lastActiveAt, so a session dated ahead would live that much longer.
  const NOW = Date.UTC(2026, 0, 1);
  const IN_2036 = Date.UTC(2036, 0, 1);

  async function loadForged(forged: Parameters<typeof forgeCookie>[1], idleTimeout?: number) {
    const h = kit({ clock: new Clock(NOW), ...(idleTimeout !== undefined && { idleTimeout }) });
    const browser = new TestBrowser();
    browser.cookies.set('session', await forgeCookie(SECRET, forged));
    const loaded = await h.request(browser, async (s) => {
      const seen = { isNew: s.isNew, user: s.get('user'), userId: s.userId };
      await s.save();
      return seen;
    });
    return { h, browser, loaded };
  }

  it('refuses a cookie created in 2036: fresh session, reason future, cookie cleared', async () => {
    const { h, browser, loaded } = await loadForged({
      createdAt: IN_2036,
      userId: 'admin',
      data: { user: 'admin' },
    });
    expect(loaded).toEqual({ isNew: true, user: undefined, userId: undefined });
    expect(h.invalid).toEqual(['future']);
    expect(browser.cookies.size).toBe(0);
  });

  it('refuses a cookie last active in the future (the idle timeout would never end)', async () => {
    const { h, loaded } = await loadForged(
      { createdAt: NOW - 3_600_000, lastActiveAt: IN_2036, userId: 'admin', data: { user: 'admin' } },
      600,
    );
    expect(loaded.isNew).toBe(true);
    expect(h.invalid).toEqual(['future']);
  });

  it('allows 60 s of clock skew between servers, not more', async () => {
    const ahead = async (ms: number) => {
      const h = kit({ clock: new Clock(NOW), idleTimeout: 600 });
      const browser = new TestBrowser();
      // Written by a server whose clock runs `ms` ahead, for a session that began before it.
      const created = new Harness<Data>(
        { storage: encryptedCookieStorage({ secret: SECRET }), idleTimeout: 600 },
        new Clock(NOW + ms),
      );
      await created.request(browser, async (s) => {
        s.set('user', 'ada');
        await s.save();
      });
      const isNew = await h.request(browser, (s) => s.isNew);
      return { isNew, invalid: h.invalid };
    };
    expect(await ahead(60_000)).toEqual({ isNew: false, invalid: [] });
    expect(await ahead(61_000)).toEqual({ isNew: true, invalid: ['future'] });
    const { h, loaded } = await loadForged({ createdAt: NOW - 1000, lastActiveAt: NOW + 61_000 }, 600);
    expect(loaded.isNew).toBe(true);
    expect(h.invalid).toEqual(['future']);
  });

  it('a peek (hasSession) refuses it too, quietly', async () => {
    const h = kit({ clock: new Clock(NOW) });
    const browser = new TestBrowser();
    browser.cookies.set('session', await forgeCookie(SECRET, { createdAt: IN_2036, userId: 'admin' }));
    const session = await h.engine.load(browser.request(), async () => {}, true);
    expect(session.isNew).toBe(true);
    expect(session.changes.handle).toBeUndefined();
    expect(h.invalid).toEqual([]);
  });
});

describe('key rotation', () => {
  it('[new, old] opens old cookies and re-seals them with the new key on the next save', async () => {
    const browser = new TestBrowser();
    const old = kit({ secret: OTHER });
    const id = await old.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
      return s.id;
    });
    const oldValue = browser.cookies.get('session') ?? '';
    const rotated = kit({ secret: [SECRET, OTHER] });
    await rotated.request(browser, async (s) => {
      expect(s.id).toBe(id);
      expect(s.get('user')).toBe('ada');
      expect(s.isChanged).toBe(true); // stale: sealed with an older key
      await s.save();
    });
    const newValue = browser.cookies.get('session') ?? '';
    expect(kidOf(newValue)).not.toBe(kidOf(oldValue));
    const onlyNew = kit({ secret: SECRET });
    await onlyNew.request(browser, (s) => expect(s.get('user')).toBe('ada'));
    expect(onlyNew.invalid).toEqual([]);
  });

  it('a cookie sealed with the old key and dated in the future is refused, never re-sealed', async () => {
    const clock = new Clock(Date.UTC(2026, 0, 1));
    const browser = new TestBrowser();
    const forged = await forgeCookie(OTHER, {
      createdAt: Date.UTC(2036, 0, 1),
      userId: 'admin',
      data: { user: 'admin' },
    });
    browser.cookies.set('session', forged);
    const rotated = kit({ secret: [SECRET, OTHER], clock });
    await rotated.request(browser, async (s) => {
      expect(s.isNew).toBe(true);
      expect(s.get('user')).toBeUndefined();
      await s.save();
    });
    expect(rotated.invalid).toEqual(['future']);
    // Only clearing writes (the whole cookie, and the chunk a concurrent write may have left): nothing re-sealed.
    expect(browser.lastWrites.map((w) => [w.name, w.value, w.options.maxAge])).toEqual([
      ['session', '', 0],
      ['session.0', '', 0],
    ]);
    expect(browser.cookies.size).toBe(0);
  });

  it('re-sealing with the new key keeps createdAt and never extends maxAge', async () => {
    const clock = new Clock(Date.UTC(2026, 0, 1));
    const browser = new TestBrowser();
    const old = kit({ secret: OTHER, maxAge: 100, clock });
    const born = await old.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
      return { createdAt: s.createdAt, expiresAt: s.expiresAt };
    });
    clock.advance(60);
    const rotated = kit({ secret: [SECRET, OTHER], maxAge: 100, clock });
    await rotated.request(browser, async (s) => {
      expect(s.isChanged).toBe(true);
      await s.save();
    });
    await rotated.request(browser, (s) => {
      expect(s.get('user')).toBe('ada');
      expect(s.createdAt).toBe(born.createdAt);
      expect(s.expiresAt).toBe(born.expiresAt);
    });
    clock.advance(41 + 5); // past maxAge and the clock-skew allowance
    await rotated.request(browser, (s) => expect(s.isNew).toBe(true));
  });
});

describe('chunking', () => {
  it('splits a large session into name.0…name.N, reads it back, and cleans up when it shrinks', async () => {
    const h = kit();
    const browser = new TestBrowser();
    const blob = randomText(7000);
    await h.request(browser, async (s) => {
      s.set('blob', blob);
      await s.save();
    });
    expect([...browser.cookies.keys()].sort()).toEqual(['session.0', 'session.1', 'session.2']);
    for (const line of browser.lastSetCookie) expect(line.length).toBeLessThanOrEqual(4096);
    await h.request(browser, async (s) => {
      expect(s.get('blob')).toBe(blob);
      s.set('blob', 'small');
      await s.save();
    });
    expect([...browser.cookies.keys()]).toEqual(['session']);
    await h.request(browser, async (s) => {
      expect(s.get('blob')).toBe('small');
      s.set('blob', randomText(5000));
      await s.save();
    });
    expect([...browser.cookies.keys()].sort()).toEqual(['session.0', 'session.1']);
  });

  it('throws SessionTooLargeError past the chunk cap and writes nothing', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('blob', randomText(20_000));
      const error = await s.save().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SessionTooLargeError);
      expect((error as SessionTooLargeError).code).toBe('ERR_SESSION_TOO_LARGE');
      expect((error as Error).message).toMatch(/store-backed/);
    });
    expect(browser.lastWrites).toEqual([]);
  });

  it('a missing chunk, or too many chunks, is an invalid session', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('blob', randomText(7000));
      await s.save();
    });
    const copy = new Map(browser.cookies);
    browser.cookies.delete('session.1');
    await h.request(browser, (s) => expect(s.isNew).toBe(true));
    for (const [k, v] of copy) browser.cookies.set(k, v);
    for (let i = 3; i < 100; i++) browser.cookies.set(`session.${i}`, 'x');
    await h.request(browser, (s) => expect(s.isNew).toBe(true));
    expect(h.invalid).toEqual(['invalid', 'invalid']);
  });

  it('reads only cookies named exactly name or name.N', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    browser.cookies.set('session.x', 'junk');
    browser.cookies.set('session.01', 'junk');
    browser.cookies.set('sessionfoo', 'junk');
    browser.cookies.set('xsession', 'junk');
    await h.request(browser, (s) => expect(s.get('user')).toBe('ada'));
  });
});

describe('cookie attributes', () => {
  it('secure defaults: HttpOnly, SameSite=Lax, Path=/, not Secure on plain-http development', async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const line = browser.lastSetCookie[0] ?? '';
    expect(line).toMatch(/; Path=\//);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=lax/);
    expect(line).not.toMatch(/; Secure/);
    expect(line).not.toMatch(/Domain=/);
  });

  it("secure: 'auto' is Secure over https and in production", async () => {
    const h = kit();
    const browser = new TestBrowser();
    await h.request(
      browser,
      async (s) => {
        s.set('user', 'ada');
        await s.save();
      },
      true,
    );
    expect(browser.lastSetCookie[0]).toMatch(/; Secure/);
    vi.stubEnv('NODE_ENV', 'production');
    try {
      await h.request(browser, async (s) => {
        s.set('user', 'bob');
        await s.save();
      });
      expect(browser.lastSetCookie[0]).toMatch(/; Secure/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('applies domain, path, sameSite and explicit secure/httpOnly', async () => {
    const h = new Harness<Data>({
      storage: encryptedCookieStorage({ secret: SECRET }),
      cookie: { domain: 'example.com', path: '/app', sameSite: 'none', secure: true, httpOnly: true },
    });
    const browser = new TestBrowser();
    await h.request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const line = browser.lastSetCookie[0] ?? '';
    expect(line).toMatch(/; Domain=example.com/);
    expect(line).toMatch(/; Path=\/app/);
    expect(line).toMatch(/; SameSite=none/);
    expect(line).toMatch(/; Secure/);
  });
});

describe('cookie size', () => {
  it('an ~80-byte session seals into a cookie of at most 230 characters', async () => {
    const h = kit();
    const browser = new TestBrowser();
    const payload = { user: 'ada@example.com', count: 42, role: 'admin', theme: 'dark', lang: 'en-GB' };
    await h.request(browser, async (s) => {
      for (const [k, v] of Object.entries(payload)) s.set(k as 'user', v as string);
      await s.save();
    });
    expect(JSON.stringify(payload).length).toBeGreaterThanOrEqual(78);
    expect((browser.cookies.get('session') ?? '').length).toBeLessThanOrEqual(230);
  });
});

function flip(value: string, index: number): string {
  const c = value[index] === 'A' ? 'B' : 'A';
  return value.slice(0, index) + c + value.slice(index + 1);
}

function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    kid: string;
  };
  return header.kid;
}

function randomText(length: number): string {
  const bytes = new Uint8Array(Math.ceil(length * 0.75));
  crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString('base64url').slice(0, length);
}
