import { useState, type FormEvent } from 'react';
import { Api, ApiError } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import { explainError } from '../explain.ts';
import { Field } from '../components/ui.tsx';
import { useTitle } from '../router.tsx';

export function SignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  useTitle('Sign in');
  const [authId, setAuthId] = useState('');
  const [authToken, setAuthToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const session = { authId: authId.trim(), authToken: authToken.trim() };
    if (!session.authId || !session.authToken) {
      setError('Enter both the auth ID and the auth token.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      // Any authenticated read proves the pair; the smallest page of the call list will do.
      await new Api(session).get('/Call/', { limit: 1 });
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? 'That auth ID and token do not match this engine’s account.' : explainError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">Switchboard</h1>
        <p className="muted">Sign in with your account’s auth ID and auth token. `switchboard serve` prints them at start-up.</p>
        <Field label="Auth ID" id="auth-id">
          <input id="auth-id" name="auth_id" autoComplete="username" value={authId} onChange={(e) => setAuthId(e.target.value)} autoFocus spellCheck={false} />
        </Field>
        <Field label="Auth token" id="auth-token">
          <input id="auth-token" name="auth_token" type="password" autoComplete="current-password" value={authToken} onChange={(e) => setAuthToken(e.target.value)} />
        </Field>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="hint">The token is kept in this tab’s session storage only and is gone when the tab closes.</p>
      </form>
    </main>
  );
}
