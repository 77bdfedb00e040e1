// Type-level tests of `migrateFrom`: `tsc --noEmit -p .` checks them (a
// `map` returning the wrong shape is a compile error, proven by
// `@ts-expect-error`). The kits are created, never called.
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createSessionKit, type MigrationSource } from '../index.ts';
import { simpleCookieStorage } from '../storage/simple-cookie.ts';
import { type AuthjsToken, authjsSession } from './authjs.ts';
import { ironSession } from './iron-session.ts';

type Data = { name?: string; count?: number };
const PASSWORD = 'iron-session-password-of-at-least-32-chars';
const storage = simpleCookieStorage();

describe('migrateFrom types', () => {
  it("a source's data type comes from the kit's Data, and `map` must return it", () => {
    createSessionKit<Data>({
      storage,
      migrateFrom: ironSession({
        password: PASSWORD,
        cookieName: 'iron',
        map: (data) => ({ name: String(data.name) }),
      }),
    });
    createSessionKit<Data>({
      storage,
      // @ts-expect-error `name` must be a string
      migrateFrom: ironSession({ password: PASSWORD, cookieName: 'iron', map: () => ({ name: 42 }) }),
    });
    const source = authjsSession<Data>({ secret: 'x', map: (token) => ({ name: token.name ?? undefined }) });
    expectTypeOf(source).toEqualTypeOf<MigrationSource<Data>>();
  });

  it('with a schema, Data is inferred from it and the sources follow', () => {
    const schema = z.object({ user: z.string().optional() });
    createSessionKit({
      storage,
      schema,
      migrateFrom: [
        authjsSession({ secret: 'x', map: (token: AuthjsToken) => ({ user: token.name ?? undefined }) }),
      ],
    });
    createSessionKit({
      storage,
      schema,
      // @ts-expect-error `user` must be a string
      migrateFrom: [authjsSession({ secret: 'x', map: () => ({ user: 1 }) })],
    });
  });

  it('the old data and token types can be named', () => {
    type IronData = { user?: { id: string } };
    ironSession<Data, IronData>({
      password: PASSWORD,
      cookieName: 'iron',
      userId: (data) => data.user?.id,
      // @ts-expect-error IronData has no `name`
      map: (data) => ({ name: data.name }),
    });
    authjsSession<Data, AuthjsToken & { role?: string }>({
      secret: 'x',
      map: (token) => {
        expectTypeOf(token.role).toEqualTypeOf<string | undefined>();
        expectTypeOf(token.sub).toEqualTypeOf<string | undefined>();
        return {};
      },
    });
  });
});
