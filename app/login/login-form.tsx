'use client';

import { useActionState } from 'react';
import { type LoginState, login } from './actions';

const initial: LoginState = { error: null, username: '' };

/**
 * `next`: where to go after signing in (checked by the action, not here).
 * `remember`: offer "Remember me" (not with aiohttp-session's format, which cannot record it).
 */
export function LoginForm({ next, remember }: { next: string; remember: boolean }) {
  const [state, action, pending] = useActionState(login, initial);
  return (
    <form action={action} className="stack" noValidate>
      <input type="hidden" name="next" value={next} />
      <label htmlFor="username">Username</label>
      <input
        id="username"
        name="username"
        type="text"
        autoComplete="username"
        defaultValue={state.username}
        aria-invalid={state.error ? true : undefined}
        aria-describedby={state.error ? 'username-error' : undefined}
      />
      {state.error ? (
        <p id="username-error" className="error" role="alert" data-testid="login-error">
          {state.error}
        </p>
      ) : null}
      {remember ? (
        <label className="checkbox">
          <input type="checkbox" name="remember" defaultChecked data-testid="remember-me" /> Remember me
        </label>
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
