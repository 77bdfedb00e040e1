'use client';

// The browser side of `expose`. Only React and Web APIs here: this file
// ships to the browser, so it must never import the kit's server code.
import {
  type Context,
  createContext,
  createElement,
  type ReactNode,
  useContext,
  useEffect,
  useRef,
  useState,
} from 'react';
import { SessionConfigError } from '../errors.ts';
import { browserEnvironment } from '../live/environment.ts';
import { type LiveSessionOptions, resolveLive } from '../live/options.ts';
import { type SnapshotSync, startSnapshotSync } from '../live/snapshot-sync.ts';

export type { LiveSessionOptions } from '../live/options.ts';

/**
 * Props of {@link SessionClientProvider}.
 *
 * @example
 * ```ts
 * const props: SessionClientProviderProps = { value: { user: 'ada' }, children: null };
 * ```
 */
export interface SessionClientProviderProps {
  /** The snapshot from `getClientSession()`: only the fields the kit's `expose` option picked. */
  value: Record<string, unknown>;
  /**
   * Follow the server in every tab (see {@link LiveSessionOptions}); the
   * kit's `SessionProvider` passes the kit's `live` option here. Default: off.
   */
  live?: LiveSessionOptions | false;
  children?: ReactNode;
}

/** A snapshot this tab fetched, and the server-rendered value it was fetched over. */
interface Fetched {
  basis: Record<string, unknown>;
  value: Record<string, unknown>;
}

const NO_PROVIDER = Symbol('next-session-kit.no-provider');

// Created on first use, not at import: in a server bundle `react` is the
// server build, which has no createContext, and this module is only a
// client reference there.
let context: Context<Record<string, unknown> | typeof NO_PROVIDER> | undefined;
function sessionContext(): Context<Record<string, unknown> | typeof NO_PROVIDER> {
  context ??= createContext<Record<string, unknown> | typeof NO_PROVIDER>(NO_PROVIDER);
  return context;
}

/**
 * Hands the exposed session fields to the client components below it.
 * Usually rendered for you by the kit's `SessionProvider` server component;
 * use it directly to pass a snapshot you loaded yourself.
 *
 * A new `value` always wins: when a Server Action changes the session and
 * Next re-renders the layout, the client components see the new values
 * without a reload. With `live`, the tab also tells the other tabs, and
 * takes the snapshot it fetches when another tab changed the session or it
 * comes back into view, until the next server render.
 *
 * @example
 * ```tsx
 * // app/layout.tsx (server component)
 * import { SessionClientProvider } from 'next-session-kit/client';
 * import { getClientSession } from './lib/session';
 *
 * export default async function RootLayout({ children }: { children: React.ReactNode }) {
 *   return (
 *     <html lang="en">
 *       <body>
 *         <SessionClientProvider value={await getClientSession()}>{children}</SessionClientProvider>
 *       </body>
 *     </html>
 *   );
 * }
 * ```
 */
export function SessionClientProvider({ value, live, children }: SessionClientProviderProps): ReactNode {
  const config = resolveLive(live);
  const endpoint = config?.endpoint;
  const interval = config?.interval;
  const focus = config?.focus !== false;
  const [fetched, setFetched] = useState<Fetched | null>(null);
  const shown = fetched !== null && fetched.basis === value ? fetched.value : value;
  const latest = useRef({ value, shown });
  const sync = useRef<SnapshotSync | undefined>(undefined);

  useEffect(() => {
    latest.current = { value, shown };
  });

  useEffect(() => {
    if (endpoint === undefined) return undefined;
    const started = startSnapshotSync(
      { endpoint, interval, focus },
      {
        shown: () => JSON.stringify(latest.current.shown),
        receive: (snapshot) => setFetched({ basis: latest.current.value, value: snapshot }),
        warn: (message) => console.warn(message),
      },
      browserEnvironment(),
    );
    sync.current = started;
    return () => {
      started.stop();
      if (sync.current === started) sync.current = undefined;
    };
  }, [endpoint, interval, focus]);

  // After the effect above (effects run in order), so a new sync hears the
  // page's first snapshot too.
  useEffect(() => {
    if (endpoint !== undefined) sync.current?.landed(JSON.stringify(value));
  }, [value, endpoint]);

  return createElement(sessionContext().Provider, { value: shown }, children);
}

/**
 * The session fields the server exposed to client components (the kit's
 * `expose` option), read-only. Name their type with `ExposedOf<typeof kit>`
 * (a type-only import from your server `lib/session.ts` is fine in a client
 * component). Throws `SessionConfigError` when no `SessionProvider` is above the component.
 *
 * @example
 * ```tsx
 * 'use client';
 * import { useSession } from 'next-session-kit/client';
 * import type { ClientSession } from './lib/session'; // = ExposedOf<typeof kit>
 *
 * export function UserBadge() {
 *   const { user } = useSession<ClientSession>();
 *   return <span>{user ?? 'Guest'}</span>;
 * }
 * ```
 */
export function useSession<
  Client extends Record<string, unknown> = Record<string, unknown>,
>(): Readonly<Client> {
  const value = useContext(sessionContext());
  if (value === NO_PROVIDER) {
    throw new SessionConfigError(
      'useSession() needs a <SessionProvider> above this component. Render the ' +
        "kit's SessionProvider in app/layout.tsx, around {children}.",
    );
  }
  return value as Readonly<Client>;
}
