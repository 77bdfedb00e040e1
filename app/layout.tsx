import type { Metadata } from 'next';
import Link from 'next/link';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { HeaderUser } from './header-user';
import { SessionProvider, storageName } from './lib/session';
import './globals.css';

export const metadata: Metadata = {
  title: 'next-session-kit demo',
  description: 'Encrypted-cookie and store-backed sessions for the Next.js App Router.',
};

/** The storage picked by SESSION_STORAGE when the server started (not when it was built). */
async function StorageBadge() {
  await connection(); // render per request: `next build` must not bake in its own environment
  return (
    <p className="storage">
      Storage: <code data-testid="storage-name">{storageName}</code>
    </p>
  );
}

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        {/* Client components below read the exposed session fields (only `user`) with useSession(). */}
        <SessionProvider>
          <a className="skip" href="#main">
            Skip to content
          </a>
          <header className="site-header">
            <p className="brand">next-session-kit demo</p>
            <StorageBadge />
            <HeaderUser />
            <nav aria-label="Main">
              <ul>
                <li>
                  <Link href="/">Session</Link>
                </li>
                <li>
                  <Link href="/login">Sign in</Link>
                </li>
                <li>
                  <Link href="/dashboard">Dashboard</Link>
                </li>
                <li>
                  <Link href="/sessions">Your sessions</Link>
                </li>
                <li>
                  <Link href="/settings">Settings</Link>
                </li>
                <li>
                  <Link href="/readonly">Read-only</Link>
                </li>
                <li>
                  <a href="/api/session">JSON</a>
                </li>
              </ul>
            </nav>
          </header>
          <main id="main">{children}</main>
        </SessionProvider>
      </body>
    </html>
  );
}
