// Pages whose code loads on demand, and what the app shows when a page cannot be shown.
import { Component, lazy, type ComponentType, type ReactNode } from 'react';

/**
 * A page whose code loads on demand (React.lazy) and renders at once when that code is already
 * there. React keeps a Suspense fallback on screen for at least 300 ms once it has shown it: a
 * bookmarked run page, whose code loads while the session is checked, waited that long before it
 * even asked for the run. `preload` starts the download ahead; when it fails, the page's own
 * render tries once more, and a second failure goes to PageBoundary (React.lazy keeps it).
 */
export function onDemand<M, P extends object>(load: () => Promise<M>, pick: (m: M) => ComponentType<P>) {
  let ready: ComponentType<P> | undefined;
  let loading: Promise<ComponentType<P>> | undefined;
  const preload = (): Promise<ComponentType<P>> =>
    (loading ??= load().then(
      (m) => (ready = pick(m)),
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    ));
  const Lazy = lazy(async () => ({ default: await preload() }));
  function OnDemand(props: P) {
    const Page = ready ?? Lazy;
    return <Page {...props} />;
  }
  return { Page: OnDemand, preload };
}

/**
 * Around a page: when its code cannot be downloaded (the server was updated since this tab loaded
 * the app, or went away) or it throws while drawing, says so and offers a reload, where React would
 * otherwise leave a blank window. The app keys it by path, so that another page starts clean.
 */
export class PageBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: null };

  static getDerivedStateFromError(error: unknown): { error: unknown } {
    return { error: error ?? new Error('unknown error') };
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    const message = error instanceof Error ? error.message : String(error);
    const download = /dynamically imported module|Importing a module script failed|error loading dynamically/i.test(
      message,
    );
    return (
      <section role="alert" aria-label="This page could not be shown">
        <h1>This page could not be shown</h1>
        <p>
          {download
            ? 'Its code could not be downloaded: the server may have been updated since this tab opened, or be out of reach.'
            : `It failed while drawing: ${message}`}
        </p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </section>
    );
  }
}
