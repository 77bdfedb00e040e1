import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { FlashNotice } from '../lib/flash-notice';
import { getSession } from '../lib/session';
import { withSessionStore } from '../lib/session-store';

export const metadata: Metadata = { title: 'Dashboard · next-session-kit demo' };

type SearchParams = Record<string, string | string[] | undefined>;

// Signed-in users only: the guard in proxy.ts sends everyone else to /login?next=….
export default function DashboardPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  return withSessionStore(() => renderDashboard(searchParams));
}

async function renderDashboard(searchParams: Promise<SearchParams>) {
  const session = await getSession();
  const params = await searchParams;
  // Defence in depth: a proxy is not a security boundary on its own
  // (CVE-2025-29927 let crafted requests skip middleware entirely), so the
  // page checks the session itself before showing anything private.
  const userId = session.userId;
  if (userId === undefined) redirect(`/login?next=${encodeURIComponent(`/dashboard${query(params)}`)}`);

  const notice = await session.getFlash('notice');
  const tab = params.tab;
  return (
    <section aria-labelledby="dashboard-heading">
      <FlashNotice message={notice} />
      <h1 id="dashboard-heading">Dashboard</h1>
      <p className="status" data-testid="dashboard-user">
        Signed in as {session.get('user') ?? userId}
      </p>
      <dl className="facts">
        <dt>Counter</dt>
        <dd data-testid="dashboard-count">{session.get('count') ?? 0}</dd>
        <dt>Tab</dt>
        <dd data-testid="dashboard-tab">{typeof tab === 'string' ? tab : '(none)'}</dd>
      </dl>
      <p>
        <Link href="/">Session details</Link>
      </p>
    </section>
  );
}

/** `?a=1&b=2` from the page's search params, or ''. */
function query(params: SearchParams): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      search.append(key, item);
    }
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
