// Type-level tests: `tsc --noEmit -p .` checks them (a wrong key or value is
// a compile error, proven by `@ts-expect-error`); vitest runs the few
// runtime assertions. No request runs: the kit's methods are never called.
import * as v from 'valibot';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createSessionKit, type Session } from '../index.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';

type Data = { user?: string; count?: number; prefs?: { theme: 'light' | 'dark' } };
type Flash = { notice?: string };

describe('typed session data', () => {
  it('createSessionKit<Data, Flash> types get, set, delete, has, data and flash', () => {
    const kit = createSessionKit<Data, Flash>({ storage: simpleCookieStorage() });
    expectTypeOf(kit.getSession).returns.resolves.toEqualTypeOf<Session<Data, Flash>>();
    expectTypeOf(kit.newSession).returns.resolves.toEqualTypeOf<Session<Data, Flash>>();
    const check = (s: Session<Data, Flash>) => {
      expectTypeOf(s.get('user')).toEqualTypeOf<string | undefined>();
      expectTypeOf(s.get('prefs')).toEqualTypeOf<{ theme: 'light' | 'dark' } | undefined>();
      expectTypeOf(s.data.count).toEqualTypeOf<number | undefined>();
      expectTypeOf(s.getFlash('notice')).resolves.toEqualTypeOf<string | undefined>();
      s.set('count', 1);
      s.set('prefs', { theme: 'dark' });
      // @ts-expect-error unknown key
      s.get('nope');
      // @ts-expect-error unknown key
      s.set('nope', 1);
      // @ts-expect-error wrong value type
      s.set('count', '1');
      // @ts-expect-error wrong nested value
      s.set('prefs', { theme: 'blue' });
      // @ts-expect-error unknown key
      s.delete('nope');
      // @ts-expect-error unknown key
      s.has('nope');
      // @ts-expect-error data is read-only
      s.data.count = 2;
      s.flash('notice', 'Saved');
      // @ts-expect-error unknown flash key
      s.flash('alert', 'x');
      // @ts-expect-error wrong flash value
      s.flash('notice', 42);
    };
    expectTypeOf(check).toBeFunction();
  });

  it('infers Data from a zod schema (its output type)', () => {
    const schema = z.object({
      user: z.object({ name: z.string(), admin: z.boolean() }).optional(),
      count: z.number().default(0),
    });
    const kit = createSessionKit({ storage: simpleCookieStorage(), schema });
    const check = (s: Awaited<ReturnType<typeof kit.getSession>>) => {
      expectTypeOf(s.get('count')).toEqualTypeOf<number | undefined>();
      expectTypeOf(s.get('user')).toEqualTypeOf<{ name: string; admin: boolean } | undefined>();
      s.set('user', { name: 'ada', admin: false });
      // @ts-expect-error not in the schema
      s.set('role', 'admin');
      // @ts-expect-error wrong value for the schema
      s.set('user', { name: 'ada' });
    };
    expectTypeOf(check).toBeFunction();
  });

  it('infers Data from a valibot schema', () => {
    const schema = v.object({ theme: v.optional(v.picklist(['light', 'dark'])) });
    const kit = createSessionKit({ storage: simpleCookieStorage(), schema });
    const check = (s: Awaited<ReturnType<typeof kit.getSession>>) => {
      expectTypeOf(s.get('theme')).toEqualTypeOf<'light' | 'dark' | undefined>();
      // @ts-expect-error not one of the picklist
      s.set('theme', 'blue');
    };
    expectTypeOf(check).toBeFunction();
  });

  it('refuses a schema whose output does not match an explicit Data', () => {
    const wrong = z.object({ user: z.number() });
    // @ts-expect-error schema output { user: number } is not Data
    createSessionKit<Data>({ storage: simpleCookieStorage(), schema: wrong });
    const right = z.object({ user: z.string().optional(), count: z.number().optional() });
    createSessionKit<Data>({ storage: simpleCookieStorage(), schema: right });
  });
});
