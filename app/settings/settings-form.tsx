'use client';

import { useActionState } from 'react';
import { type SettingsState, saveSettings } from './actions';

const initial: SettingsState = { error: null };

export function SettingsForm({ displayName }: { displayName: string }) {
  const [state, action, pending] = useActionState(saveSettings, initial);
  return (
    <form action={action} className="stack" noValidate>
      <label htmlFor="displayName">Display name</label>
      <input id="displayName" name="displayName" type="text" defaultValue={displayName} />
      {state.error ? (
        <p className="error" role="alert">
          {state.error}
        </p>
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? 'Saving…' : 'Save settings'}
      </button>
    </form>
  );
}
