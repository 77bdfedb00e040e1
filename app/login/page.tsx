import type { Metadata } from 'next';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in · next-session-kit demo' };

export default function LoginPage() {
  return (
    <section aria-labelledby="login-heading">
      <h1 id="login-heading">Sign in</h1>
      <p>Any username works: this demo has no passwords. Signing in starts a new session with a new id.</p>
      <LoginForm />
    </section>
  );
}
