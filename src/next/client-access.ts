import type { ReactElement } from 'react';
import type { ClientSessionData, Exposer } from '../expose.ts';
import type { ResolvedLive } from '../live/options.ts';
import type { Session } from '../session.ts';
import { type ClientSessionHandler, createClientSessionHandler } from './client-session-handler.ts';
import { requestJar } from './context.ts';
import { createSessionProvider, type SessionProviderProps } from './session-provider.ts';

/**
 * The kit members that hand exposed session fields to client components.
 *
 * @example
 * ```ts
 * const { getClientSession, SessionProvider } = createClientAccess(expose, getSession);
 * ```
 */
export interface ClientAccess<Client extends ClientSessionData> {
  /** The fields picked by `expose`, as a fresh JSON-only object. Nothing else of the session. */
  getClientSession(): Promise<Client>;
  /** Server component: loads `getClientSession()` and provides it to `useSession()` below it. */
  SessionProvider(props: SessionProviderProps): Promise<ReactElement>;
  /**
   * Route Handler for the `live` option: `export const GET = clientSessionHandler`
   * in the route file at `live.endpoint`. Answers the same fields as
   * `getClientSession()`, as JSON; reads the session without sliding its
   * expiry and never writes a cookie.
   */
  clientSessionHandler: ClientSessionHandler;
}

/**
 * What {@link createClientAccess} needs besides `expose` and `getSession`.
 *
 * @example
 * ```ts
 * const more: ClientAccessOptions = { peek: () => load(true), live: engine.options.live };
 * ```
 */
export interface ClientAccessOptions {
  /** The request's session, read without sliding its expiry or writing (for `clientSessionHandler`). Default: `getSession`. */
  peek?: () => Promise<Session>;
  /** The validated `live` option, handed to the client provider. */
  live?: ResolvedLive | undefined;
}

/**
 * Builds {@link ClientAccess} from the validated `expose` option and the
 * kit's `getSession`.
 */
export function createClientAccess<Client extends ClientSessionData>(
  expose: Exposer,
  getSession: () => Promise<Session>,
  options: ClientAccessOptions = {},
): ClientAccess<Client> {
  const getClientSession = async (): Promise<Client> => expose((await getSession()).data) as Client;
  const peek = options.peek ?? getSession;
  return {
    getClientSession,
    SessionProvider: createSessionProvider(getClientSession, options.live),
    clientSessionHandler: createClientSessionHandler(async () => expose((await peek()).data)),
  };
}

/**
 * Stand-in used while `next build` runs without the runtime configuration.
 * Reads the cookies first, so Next renders the page per request instead of
 * failing the build; the request then throws the original error.
 */
export function failingClientAccess<Client extends ClientSessionData>(error: Error): ClientAccess<Client> {
  const getClientSession = async (): Promise<Client> => {
    await requestJar();
    throw error;
  };
  return {
    getClientSession,
    SessionProvider: createSessionProvider(getClientSession),
    clientSessionHandler: createClientSessionHandler(getClientSession),
  };
}

/**
 * The type of what a kit exposes to client components, for `useSession()`.
 * A type-only import of it from your server `lib/session.ts` into a client
 * component is fine: types never reach the bundle.
 *
 * @example
 * ```ts
 * // lib/session.ts
 * export const kit = createSessionKit<Data, Flash, Pick<Data, 'user'>>({ storage, expose: ['user'] });
 * export type ClientSession = ExposedOf<typeof kit>; // { user?: string }
 * ```
 */
export type ExposedOf<Kit extends { getClientSession(): Promise<ClientSessionData> }> = Awaited<
  ReturnType<Kit['getClientSession']>
>;
