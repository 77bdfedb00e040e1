// Typed, validated, versioned session data, on every storage: sessions
// written by an older kit configuration are migrated on load, and data that
// fails the schema is refused, never passed on half-valid.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SessionConfigError } from '../errors.ts';
import type { SessionKitOptions } from '../options.ts';
import { type SessionImpl, unsavedChanges } from '../session.ts';
import { memoryStorage } from '../storage/memory-storage.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import { TestBrowser } from '../test-utils/browser.ts';
import { Clock, Harness } from '../test-utils/harness.ts';
import { allTargets } from '../test-utils/targets.ts';
import type { SessionData } from '../types.ts';

type Options = Omit<SessionKitOptions, 'now' | 'onInvalidSession' | 'storage'>;

// Version 1 kept the user's name as a string; version 2 keeps an object.
const v2Schema = z.object({
  user: z.object({ name: z.string(), admin: z.boolean() }).optional(),
  count: z.number().int().default(0),
});
const migrateToV2 = (data: SessionData, from: number): SessionData => {
  if (from === 1) return { ...data, user: { name: data.user, admin: false } };
  return data;
};

for (const target of allTargets()) {
  describe(`versioned data: ${target.name}`, () => {
    const { storage } = target.make();
    const clock = new Clock(Date.now());
    const kitAt = (options: Options) => new Harness({ storage, ...options }, clock);

    async function writtenByV1(): Promise<TestBrowser> {
      const browser = new TestBrowser();
      await kitAt({}).request(browser, async (s) => {
        s.set('user', 'ada');
        s.set('count', 3);
        await s.save();
      });
      return browser;
    }

    it('migrates a session written by version 1 on load, then saves it back as version 2', async () => {
      const browser = await writtenByV1();
      const v2 = kitAt({ version: 2, migrate: migrateToV2, schema: v2Schema });
      await v2.request(browser, (s) => {
        expect(s.isNew).toBe(false);
        expect(s.data).toEqual({ user: { name: 'ada', admin: false }, count: 3 });
        // Loading alone writes nothing; the next save() writes the whole session.
        expect(s.isChanged).toBe(true);
        expect(unsavedChanges(s as unknown as SessionImpl)).toEqual([]);
      });
      expect(browser.lastWrites).toEqual([]);
      await v2.request(browser, (s) => s.save());
      // Now stored as version 2: a kit that can no longer migrate still reads it.
      const strict = kitAt({ version: 2, schema: v2Schema });
      await strict.request(browser, (s) => {
        expect(s.isNew).toBe(false);
        expect(s.get('user')).toEqual({ name: 'ada', admin: false });
        expect(s.isChanged).toBe(false);
      });
      expect([...v2.invalid, ...strict.invalid]).toEqual([]);
    });

    it('a change saved right after a migration keeps both the migration and the change', async () => {
      const browser = await writtenByV1();
      const v2 = kitAt({ version: 2, migrate: migrateToV2 });
      await v2.request(browser, async (s) => {
        s.set('count', 4);
        await s.save();
      });
      await kitAt({ version: 2 }).request(browser, (s) =>
        expect(s.data).toEqual({ user: { name: 'ada', admin: false }, count: 4 }),
      );
    });

    it('refuses a session from a newer version (rollback) with reason "version"', async () => {
      const browser = await writtenByV1();
      const v2 = kitAt({ version: 2, migrate: migrateToV2 });
      await v2.request(browser, (s) => s.save());
      const v1 = kitAt({});
      await v1.request(browser, (s) => expect(s.isNew).toBe(true));
      expect(v1.invalid).toEqual(['version']);
    });

    it('refuses an older version without migrate ("version"), and a failing migrate ("migration")', async () => {
      const browser = await writtenByV1();
      const bumped = kitAt({ version: 2 });
      await bumped.request(browser, (s) => expect(s.isNew).toBe(true));
      const throwing = kitAt({
        version: 3,
        migrate: () => {
          throw new Error('cannot migrate');
        },
      });
      await throwing.request(browser, (s) => expect(s.isNew).toBe(true));
      const notAnObject = kitAt({ version: 2, migrate: () => [1, 2] as unknown as SessionData });
      await notAnObject.request(browser, (s) => expect(s.isNew).toBe(true));
      const asyncMigrate = kitAt({ version: 2, migrate: async (data) => ({ ...data, migrated: true }) });
      await asyncMigrate.request(browser, (s) => expect(s.get('migrated')).toBe(true));
      expect([...bumped.invalid, ...throwing.invalid, ...notAnObject.invalid]).toEqual([
        'version',
        'migration',
        'migration',
      ]);
    });

    it('refuses data the schema rejects (also after a migration) with reason "schema"', async () => {
      const browser = await writtenByV1();
      const wrongShape = kitAt({ schema: v2Schema }); // version 1 data has user: string
      await wrongShape.request(browser, (s) => {
        expect(s.isNew).toBe(true);
        expect(s.data).toEqual({});
      });
      const badMigration = kitAt({
        version: 2,
        schema: v2Schema,
        migrate: (data) => ({ ...data, count: 'x' }),
      });
      await badMigration.request(browser, (s) => expect(s.isNew).toBe(true));
      expect([...wrongShape.invalid, ...badMigration.invalid]).toEqual(['schema', 'schema']);
      // The refused cookie is cleared by the next save, like any invalid one.
      if (target.kind === 'cookie') {
        await wrongShape.request(browser, (s) => s.save());
        expect(browser.cookies.size).toBe(0);
      }
    });
  });
}

describe('schema', () => {
  const v1 = (clock: Clock) => new Harness({ storage: simpleCookieStorage() }, clock);

  it('uses the validated value: defaults and transforms of the schema apply', async () => {
    const clock = new Clock(Date.now());
    const browser = new TestBrowser();
    await v1(clock).request(browser, async (s) => {
      s.set('name', '  ada  ');
      await s.save();
    });
    const schema = z.object({ name: z.string().trim(), visits: z.number().default(1) });
    await new Harness({ storage: simpleCookieStorage(), schema }, clock).request(browser, (s) =>
      expect(s.data).toEqual({ name: 'ada', visits: 1 }),
    );
  });

  it('accepts valibot and asynchronous validators', async () => {
    const clock = new Clock(Date.now());
    const browser = new TestBrowser();
    await v1(clock).request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const valibot = new Harness(
      { storage: simpleCookieStorage(), schema: v.object({ user: v.string() }) },
      clock,
    );
    await valibot.request(browser, (s) => expect(s.get('user')).toBe('ada'));
    const strictValibot = new Harness(
      { storage: simpleCookieStorage(), schema: v.object({ user: v.number() }) },
      clock,
    );
    await strictValibot.request(browser, (s) => expect(s.isNew).toBe(true));
    const asyncSchema = z.object({ user: z.string() }).refine(async (d) => d.user !== 'mallory');
    const async = new Harness({ storage: simpleCookieStorage(), schema: asyncSchema }, clock);
    await async.request(browser, (s) => expect(s.get('user')).toBe('ada'));
    expect([...valibot.invalid, ...strictValibot.invalid, ...async.invalid]).toEqual(['schema']);
  });

  it('a validator that throws refuses the session instead of failing the request', async () => {
    const clock = new Clock(Date.now());
    const browser = new TestBrowser();
    await v1(clock).request(browser, async (s) => {
      s.set('user', 'ada');
      await s.save();
    });
    const throwing = {
      '~standard': {
        version: 1 as const,
        vendor: 'test',
        validate: () => {
          throw new Error('boom');
        },
      },
    };
    const h = new Harness({ storage: simpleCookieStorage(), schema: throwing }, clock);
    await h.request(browser, (s) => expect(s.isNew).toBe(true));
    expect(h.invalid).toEqual(['schema']);
  });

  it('new sessions carry the current version; version 1 is never stored', async () => {
    const clock = new Clock(Date.now());
    const browser = new TestBrowser();
    const storage = memoryStorage();
    await new Harness({ storage, version: 5, migrate: (d) => d }, clock).request(browser, async (s) => {
      s.set('a', 1);
      await s.save();
    });
    const v4 = new Harness({ storage, version: 4, migrate: (d) => d }, clock);
    await v4.request(browser, (s) => expect(s.isNew).toBe(true));
    expect(v4.invalid).toEqual(['version']);
    const plain = new Harness({ storage: simpleCookieStorage() }, clock);
    await plain.request(browser, async (s) => {
      s.set('a', 1);
      await s.save();
    });
    const payload = Buffer.from(browser.cookies.get('session') ?? '', 'base64url').toString('utf8');
    expect(JSON.parse(payload)).toHaveLength(2); // [data, id]: no metadata for version 1
  });
});

describe('schema, version and migrate options', () => {
  const storage = simpleCookieStorage();
  const make = (options: Options) => new Harness({ storage, ...options });

  it('are validated at creation with messages that say how to fix them', () => {
    expect(() => make({ schema: {} as never })).toThrow(/Standard Schema v1 validator/);
    expect(() => make({ version: 0 })).toThrow(/`version` must be a whole number, 1 or more/);
    expect(() => make({ version: 1.5 })).toThrow(SessionConfigError);
    expect(() => make({ migrate: (d) => d })).toThrow(/`migrate` needs `version` 2 or more/);
    expect(() => make({ version: 2, migrate: 'x' as never })).toThrow(/`migrate` must be a function/);
    expect(() => make({ warnUnsaved: 'sometimes' as never })).toThrow(/`warnUnsaved` must be/);
  });
});
