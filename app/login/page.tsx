import type { Metadata } from 'next';
import { bindsUsers } from '../lib/session';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in · next-session-kit demo' };

/**
 * `?next=` is where the guard in proxy.ts found the visitor signed out
 * (`/dashboard?tab=x`). The form carries it as is; the login action only
 * follows it when it is a path on this site (safeNextPath).
 */
export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { next } = await searchParams;
  return (
    <section aria-labelledby="login-heading">
      <h1 id="login-heading">Sign in</h1>
      <p>Any username works: this demo has no passwords. Signing in starts a new session with a new id.</p>
      <LoginForm next={typeof next === 'string' ? next : ''} remember={bindsUsers} />
    </section>
  );
}
