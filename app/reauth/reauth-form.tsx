'use client';

import { useActionState } from 'react';
import { type ReauthState, reauthenticate } from './actions';

const initial: ReauthState = { error: null };

/** `next`: where to go once confirmed (checked by the action, not here). */
export function ReauthForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState(reauthenticate, initial);
  return (
    <form action={action} className="stack" noValidate>
      <input type="hidden" name="next" value={next} />
      <label htmlFor="reauth-username">Username</label>
      <input id="reauth-username" name="username" type="text" autoComplete="username" />
      {state.error ? (
        <p className="error" role="alert" data-testid="reauth-error">
          {state.error}
        </p>
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? 'Confirming…' : 'Confirm'}
      </button>
    </form>
  );
}
