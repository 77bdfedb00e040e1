import { createElement, type ReactElement, type ReactNode } from 'react';
import { SessionClientProvider } from '../entries/client.ts';
import type { ClientSessionData } from '../expose.ts';
import type { ResolvedLive } from '../live/options.ts';

/**
 * Props of the kit's `SessionProvider` server component.
 *
 * @example
 * ```tsx
 * const props: SessionProviderProps = { children: <Header /> };
 * ```
 */
export interface SessionProviderProps {
  children?: ReactNode;
}

/**
 * Builds the `SessionProvider` server component around a snapshot loader
 * (the kit's `getClientSession`). While the session store is down it hands
 * client components an empty snapshot instead of failing the whole layout:
 * pages that read the session report the outage themselves. `live` (the
 * kit's validated option) goes to the client provider as it is: plain data.
 */
export function createSessionProvider(
  load: () => Promise<ClientSessionData>,
  live?: ResolvedLive,
): (props: SessionProviderProps) => Promise<ReactElement> {
  return (props) => provide(load, live, props.children);
}

async function provide(
  load: () => Promise<ClientSessionData>,
  live: ResolvedLive | undefined,
  children: ReactNode,
): Promise<ReactElement> {
  let value: ClientSessionData;
  try {
    value = await load();
  } catch (error) {
    // By code, not instanceof: the class may exist twice after bundling.
    if ((error as { code?: unknown } | null)?.code !== 'ERR_SESSION_STORE') throw error;
    value = {};
  }
  // No `live` prop at all when it is off: nothing extra in the page's payload.
  return createElement(
    SessionClientProvider,
    live === undefined ? { value } : { value, live: { ...live } },
    children,
  );
}
