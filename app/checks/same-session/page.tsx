import { notFound } from 'next/navigation';
import { connection } from 'next/server';
import { getSession } from '../../lib/session';
import { checksEnabled, firstSeen } from '../lib';
import { compareInAction } from './actions';

type DemoSession = Awaited<ReturnType<typeof getSession>>;

/**
 * "Every call in one request returns the same object": getSession() called
 * one after the other, in parallel and in a nested server component, within
 * one render; the form does the same in a Server Action.
 */
export default async function SameSessionPage({
  searchParams,
}: {
  searchParams: Promise<{ action?: string }>;
}) {
  await connection(); // per request: never a static 404 baked in by `next build`
  if (!checksEnabled()) notFound();
  const first = await getSession();
  const second = await getSession();
  const [third, fourth] = await Promise.all([getSession(), getSession()]);
  const { action } = await searchParams;
  return (
    <section aria-labelledby="same-session-heading">
      <h1 id="same-session-heading">getSession() within one request</h1>
      <p data-testid="render-same">{String(first === second && first === third && first === fourth)}</p>
      <p data-testid="render-fresh">{String(firstSeen(first))}</p>
      <NestedComponent expected={first} />
      <form action={compareInAction}>
        <button type="submit">Compare in a Server Action</button>
      </form>
      {action ? <p data-testid="action-same">{action}</p> : null}
    </section>
  );
}

async function NestedComponent({ expected }: { expected: DemoSession }) {
  return <p data-testid="nested-same">{String((await getSession()) === expected)}</p>;
}
