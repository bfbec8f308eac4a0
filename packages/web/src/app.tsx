// The app: finds out who is signed in (the session cookie), shows sign-in or the pages, and the
// frame around them (navigation, theme, sign-out). Heavy pages (graph, editor, admin) load on demand.
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api, setCsrfToken, setUnauthorizedHandler } from './api.js';
import { onDemand, PageBoundary } from './components/page-loading.js';
import { Loading } from './components/ui.js';
import { Approvals } from './pages/approvals.js';
import { Flows } from './pages/flows.js';
import { Home } from './pages/home.js';
import { SignIn } from './pages/sign-in.js';
import { Link, matchRoute, navigate, usePath, type Route } from './router.js';
import { SessionContext, type SessionValue } from './session.js';
import { applyTheme, initialTheme, type Theme } from './theme.js';
import type { SessionUser, SignedIn } from './types.js';

const pages = {
  flow: onDemand(
    () => import('./pages/flow.js'),
    (m) => m.FlowPage,
  ),
  run: onDemand(
    () => import('./pages/run.js'),
    (m) => m.RunPage,
  ),
  admin: onDemand(
    () => import('./pages/admin.js'),
    (m) => m.Admin,
  ),
};
// A bookmarked heavy page starts loading its code while the session is being checked, and the
// app shows it once both are in (no Suspense fallback, so no 300 ms hold); a failed download
// is tried again by the page itself, which shows the error.
const firstRoute = matchRoute(window.location.pathname).name;
const firstPage =
  firstRoute === 'flow' || firstRoute === 'run' || firstRoute === 'admin'
    ? pages[firstRoute].preload().catch(() => undefined)
    : undefined;

const FlowPage = pages.flow.Page;
const RunPage = pages.run.Page;
const Admin = pages.admin.Page;

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
    api<SignedIn>('GET', '/api/v1/session', undefined, { quiet401: true }).then(
      async (signed) => {
        await firstPage;
        accept(signed);
      },
      () => setState({ kind: 'signedOut' }), // 401, or no answer: the sign-in page says what it can
    );
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

  // Once someone is signed in and the browser is idle, the code of the pages most opened next (a
  // flow, a run) loads ahead, so that following a link to one shows it at once.
  const signedIn = state.kind === 'signedIn';
  useEffect(() => {
    if (!signedIn) return;
    const ahead = (): void => {
      for (const page of [pages.flow, pages.run]) page.preload().catch(() => undefined);
    };
    if ('requestIdleCallback' in window) {
      const handle = window.requestIdleCallback(ahead, { timeout: 5000 });
      return () => window.cancelIdleCallback(handle);
    }
    const timer = setTimeout(ahead, 1000);
    return () => clearTimeout(timer);
  }, [signedIn]);

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
        <PageBoundary key={route.path}>
          <Suspense fallback={<Loading what="Loading the page" />}>
            <Page route={route} user={session.user} />
          </Suspense>
        </PageBoundary>
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
