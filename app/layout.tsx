import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'next-session-kit demo',
  description: 'Encrypted-cookie sessions for the Next.js App Router.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a className="skip" href="#main">
          Skip to content
        </a>
        <header className="site-header">
          <p className="brand">next-session-kit demo</p>
          <nav aria-label="Main">
            <ul>
              <li>
                <Link href="/">Session</Link>
              </li>
              <li>
                <Link href="/login">Sign in</Link>
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
      </body>
    </html>
  );
}
