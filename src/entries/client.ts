'use client';

// The browser side of `expose`. Only React here: this file ships to the
// browser, so it must never import the kit's server code.
import { type Context, createContext, createElement, type ReactNode, useContext } from 'react';
import { SessionConfigError } from '../errors.ts';

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
  children?: ReactNode;
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
 * It reads `value` on every render (no copy in state), so when a Server
 * Action changes the session and Next re-renders the layout, the client
 * components see the new values without a reload.
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
export function SessionClientProvider({ value, children }: SessionClientProviderProps): ReactNode {
  return createElement(sessionContext().Provider, { value }, children);
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
