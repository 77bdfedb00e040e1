import { createElement, type ReactElement, type ReactNode } from 'react';
import { SessionClientProvider } from '../entries/client.ts';
import type { ClientSessionData } from '../expose.ts';

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
 * pages that read the session report the outage themselves.
 */
export function createSessionProvider(
  load: () => Promise<ClientSessionData>,
): (props: SessionProviderProps) => Promise<ReactElement> {
  return (props) => provide(load, props.children);
}

async function provide(load: () => Promise<ClientSessionData>, children: ReactNode): Promise<ReactElement> {
  let value: ClientSessionData;
  try {
    value = await load();
  } catch (error) {
    // By code, not instanceof: the class may exist twice after bundling.
    if ((error as { code?: unknown } | null)?.code !== 'ERR_SESSION_STORE') throw error;
    value = {};
  }
  return createElement(SessionClientProvider, { value }, children);
}
