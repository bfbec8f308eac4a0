// The app: finds out who is signed in (the session cookie), shows sign-in or the pages, and the
// frame around them (navigation, theme, sign-out). Heavy pages (graph, editor, admin) load on demand.
import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, api, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { Loading } from './components/ui.js';
import { Approvals } from './pages/approvals.js';
import { Flows } from './pages/flows.js';
import { Home } from './pages/home.js';
import { SignIn } from './pages/sign-in.js';
import { Link, matchRoute, navigate, usePath, type Route } from './router.js';
import { SessionContext, type SessionValue } from './session.js';
import { applyTheme, initialTheme, type Theme } from './theme.js';
import type { SessionUser, SignedIn } from './types.js';

const loaders = {
  flow: () => import('./pages/flow.js'),
  run: () => import('./pages/run.js'),
  admin: () => import('./pages/admin.js'),
};
// A bookmarked heavy page starts loading its code while the session is being checked.
const firstRoute = matchRoute(window.location.pathname).name;
if (firstRoute === 'flow' || firstRoute === 'run' || firstRoute === 'admin') void loaders[firstRoute]();

const FlowPage = lazy(() => loaders.flow().then((m) => ({ default: m.FlowPage })));
const RunPage = lazy(() => loaders.run().then((m) => ({ default: m.RunPage })));
const Admin = lazy(() => loaders.admin().then((m) => ({ default: m.Admin })));

type State = { kind: 'checking' } | { kind: 'signedOut' } | { kind: 'signedIn'; user: SessionUser };

export function App() {
  const [state, setState] = useState<State>({ kind: 'checking' });
  const path = usePath();
  const route = matchRoute(path);

  const accept = useCallback((signed: SignedIn) => {
    setCsrfToken(signed.csrfToken);
    setState({ kind: 'signedIn', user: signed.user });
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setCsrfToken(null);
      setState({ kind: 'signedOut' });
    });
    api<SignedIn>('GET', '/api/v1/session', undefined, { quiet401: true }).then(accept, (e: unknown) => {
      if (e instanceof ApiError && e.status === 401) setState({ kind: 'signedOut' });
      else setState({ kind: 'signedOut' });
    });
    return () => setUnauthorizedHandler(null);
  }, [accept]);

  const signOut = useCallback(async () => {
    try {
      await api('DELETE', '/api/v1/session');
    } finally {
      setCsrfToken(null);
      setState({ kind: 'signedOut' });
      navigate('/');
    }
  }, []);

  const session = useMemo<SessionValue | null>(
    () => (state.kind === 'signedIn' ? { user: state.user, signOut } : null),
    [state, signOut],
  );

  const title = titleOf(route);
  useEffect(() => {
    document.title = `${title} · Flowbridge`;
  }, [title]);

  if (state.kind === 'checking') return <Loading what="Starting" />;
  if (state.kind === 'signedOut' || !session) return <SignIn onSignedIn={accept} setup={route.name === 'setup'} />;
  return (
    <SessionContext.Provider value={session}>
      <Shell user={session.user} onSignOut={signOut} route={route}>
        <Suspense fallback={<Loading />}>
          <Page route={route} user={session.user} />
        </Suspense>
      </Shell>
    </SessionContext.Provider>
  );
}

function titleOf(route: Route): string {
  const titles: Record<Route['name'], string> = {
    home: 'Home',
    flows: 'Flows',
    flow: 'Flow',
    run: 'Run',
    approvals: 'Approvals',
    admin: 'Administration',
    setup: 'Setup',
    notFound: 'Not found',
  };
  return titles[route.name];
}

function Page({ route, user }: { route: Route; user: SessionUser }) {
  switch (route.name) {
    case 'home':
    case 'setup':
      return <Home />;
    case 'flows':
      return <Flows />;
    case 'flow':
      return <FlowPage id={route.id!} />;
    case 'run':
      return <RunPage id={route.id!} />;
    case 'approvals':
      return <Approvals />;
    case 'admin':
      return user.isAdmin ? (
        <Admin />
      ) : (
        <section>
          <h1>Administration</h1>
          <p role="alert">You need the admin role to see this page.</p>
        </section>
      );
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            Nothing is at {route.path}. <Link to="/">Go home</Link>.
          </p>
        </section>
      );
  }
}

function Shell({
  user,
  onSignOut,
  route,
  children,
}: {
  user: SessionUser;
  onSignOut: () => Promise<void>;
  route: Route;
  children: React.ReactNode;
}) {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  const toggle = (): void => {
    const next = theme === 'dark' ? 'light' : 'dark';
    applyTheme(next, true);
    setTheme(next);
  };
  const section = route.name === 'flow' ? 'flows' : route.name === 'run' ? 'flows' : route.name;
  const links: Array<[string, string, string]> = [
    ['/', 'Home', 'home'],
    ['/flows', 'Flows', 'flows'],
    ['/approvals', 'Approvals', 'approvals'],
    ...(user.isAdmin ? [['/admin', 'Admin', 'admin'] as [string, string, string]] : []),
  ];
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/" className="brand" aria-label="Flowbridge home">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Flowbridge
        </Link>
        <nav aria-label="Main">
          {links.map(([to, label, name]) => (
            <Link key={to} to={to} aria-current={section === name ? 'page' : undefined}>
              {label}
            </Link>
          ))}
        </nav>
        <div className="who">
          <button type="button" onClick={toggle} aria-pressed={theme === 'dark'} title="Switch between light and dark">
            Dark theme
          </button>
          <span className="muted" aria-label="Signed in as">
            {user.displayName}
          </span>
          <button type="button" onClick={() => void onSignOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
