import { useState } from 'react';
import { Api, ApiError } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { explainError } from '../explain.ts';
import { FormSubmit, InputField, useSubmit } from '../components/form.tsx';
import { useTitle } from '../router.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  useTitle('Sign in');
  const [authId, setAuthId] = useState('');
  const [authToken, setAuthToken] = useState('');
  const { errors, busy, onSubmit } = useSubmit(async () => {
    const session = { authId: authId.trim(), authToken: authToken.trim() };
    if (!session.authId || !session.authToken) return { general: 'Enter both the auth ID and the auth token.' };
    try {
      // Any authenticated read proves the pair; the smallest page of the call list will do.
      await new Api(session).get('/Call/', { limit: 1 });
    } catch (err) {
      return { general: err instanceof ApiError && err.status === 401 ? 'That auth ID and token do not match this engine’s account.' : explainError(err) };
    }
    onSignedIn(session);
  });

  return (
    <main className="sign-in">
      <form onSubmit={onSubmit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">Switchboard</h1>
        <p className="muted">Sign in with your account’s auth ID and auth token. `switchboard serve` prints them at start-up.</p>
        <InputField label="Auth ID" id="auth-id" name="auth_id" autoComplete="username" value={authId} onChange={(e) => setAuthId(e.target.value)} autoFocus spellCheck={false} />
        <InputField label="Auth token" id="auth-token" name="auth_token" type="password" autoComplete="current-password" value={authToken} onChange={(e) => setAuthToken(e.target.value)} />
        <FormSubmit error={errors.general} busy={busy} busyLabel="Signing in…">
          Sign in
        </FormSubmit>
        <p className="hint">The token is kept in this tab’s session storage only and is gone when the tab closes.</p>
      </form>
    </main>
  );
}
