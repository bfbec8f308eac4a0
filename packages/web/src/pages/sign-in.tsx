// Signing in with email and password; on a first start, creating the first admin with the
// one-time setup token that `flowbridge start` printed (it may come in the URL: /setup#token=...).
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api.js';
import { ErrorNote } from '../components/ui.js';
import { navigate } from '../router.js';
import type { SignedIn } from '../types.js';

export function SignIn({ onSignedIn, setup }: { onSignedIn: (s: SignedIn) => void; setup: boolean }) {
  const [setupRequired, setSetupRequired] = useState(false);
  useEffect(() => {
    api<{ required: boolean }>('GET', '/api/v1/setup', undefined, { quiet401: true }).then(
      (r) => setSetupRequired(r.required),
      () => setSetupRequired(false),
    );
  }, []);
  return (
    <main className="signin" id="main">
      <div className="card">
        <h1>
          <img src="/favicon.svg" alt="" width={28} height={28} /> Flowbridge
        </h1>
        {setup || setupRequired ? <SetupForm onSignedIn={onSignedIn} /> : <SignInForm onSignedIn={onSignedIn} />}
      </div>
    </main>
  );
}

function SignInForm({ onSignedIn }: { onSignedIn: (s: SignedIn) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api<SignedIn>('POST', '/api/v1/session', { email, password }, { quiet401: true }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 429)
        setError(new Error(`Too many failed attempts: try again in ${err.retryAfter ?? 30} seconds.`));
      else if (err instanceof ApiError && err.status === 401)
        setError(new Error('The email or the password is not right.'));
      else setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
      <h2>Sign in</h2>
      <label>
        Email
        <input
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          autoFocus
        />
      </label>
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Sign in
      </button>
    </form>
  );
}

function SetupForm({ onSignedIn }: { onSignedIn: (s: SignedIn) => void }) {
  const fromUrl = /[#&]token=([^&]+)/.exec(window.location.hash)?.[1];
  const [token, setToken] = useState(fromUrl ? decodeURIComponent(fromUrl) : '');
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const signed = await api<SignedIn>('POST', '/api/v1/setup', {
        setupToken: token.trim(),
        email,
        displayName,
        password,
      });
      navigate('/', { replace: true });
      onSignedIn(signed);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Create the first admin">
      <h2>Create the first admin</h2>
      <p className="muted">
        Paste the one-time setup token that <code>flowbridge start</code> printed.
      </p>
      <label>
        Setup token
        <input name="setupToken" required value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" />
      </label>
      <label>
        Email
        <input
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
      </label>
      <label>
        Name
        <input
          name="displayName"
          value={displayName}
          onChange={(e) => setDisplayName(e.target.value)}
          autoComplete="name"
        />
      </label>
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete="new-password"
          minLength={8}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <ErrorNote error={error} />
      <button type="submit" className="primary" disabled={busy}>
        Create admin
      </button>
    </form>
  );
}
