// A small router over the History API: the app has a handful of routes (the server answers each
// with index.html), so a table of patterns is all it needs.
import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

export type RouteName = 'home' | 'flows' | 'flow' | 'run' | 'approvals' | 'admin' | 'setup';

const ROUTES: Array<[RouteName, RegExp]> = [
  ['home', /^\/$/],
  ['flows', /^\/flows\/?$/],
  ['flow', /^\/flows\/([^/]+)\/?$/],
  ['run', /^\/runs\/([^/]+)\/?$/],
  ['approvals', /^\/approvals\/?$/],
  ['admin', /^\/admin\/?$/],
  ['setup', /^\/setup\/?$/],
];

export interface Route {
  name: RouteName | 'notFound';
  id?: string;
  path: string;
}

export function matchRoute(path: string): Route {
  for (const [name, re] of ROUTES) {
    const m = re.exec(path);
    if (m) return m[1] !== undefined ? { name, id: decodeURIComponent(m[1]), path } : { name, path };
  }
  return { name: 'notFound', path };
}

const listeners = new Set<() => void>();
const subscribe = (fn: () => void): (() => void) => {
  listeners.add(fn);
  window.addEventListener('popstate', fn);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('popstate', fn);
  };
};
const snapshot = (): string => window.location.pathname;

export function usePath(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const fn of listeners) fn();
  window.scrollTo(0, 0);
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ReactNode };

/** An <a> that moves within the app without reloading (modified clicks open a new tab as usual). */
export function Link({ to, children, onClick, ...rest }: LinkProps) {
  const click = (e: MouseEvent<HTMLAnchorElement>): void => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={click} {...rest}>
      {children}
    </a>
  );
}
