/**
 * The frame around every page: a skip link, the navigation (all pages, grouped, the current one marked), the
 * connection indicator, and the page itself — loaded on first visit, inside an error boundary, with focus
 * moved to it after each navigation so keyboard and screen-reader users land on the new content.
 *
 * @module
 */
import { Suspense, useEffect, useRef } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary.tsx';
import { Loading } from '../components/States.tsx';
import { ConnectionIndicator } from './ConnectionIndicator.tsx';
import { PAGES, pageForPath, SECTIONS } from './pages.ts';
import { Link, useLocation } from './router.tsx';
import NotFound from './NotFound.tsx';

export function Shell() {
  const { path } = useLocation();
  const page = pageForPath(path);
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(path);

  useEffect(() => {
    document.title = page ? `${page.title} · lacrimosa` : 'Not found · lacrimosa';
  }, [page]);

  useEffect(() => {
    if (path === firstPath.current) return;
    firstPath.current = '';
    main.current?.focus({ preventScroll: true });
    main.current?.scrollTo?.({ top: 0 });
  }, [path]);

  const Page = page?.component;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link to="/" className="brand" aria-label="lacrimosa: Overview">
          <img src="/favicon.svg" alt="" width={22} height={22} />
          <span>lacrimosa</span>
        </Link>
        <nav aria-label="Pages" className="nav">
          {SECTIONS.map((section) => (
            <div key={section} className="nav-section">
              <div className="nav-section-title" id={`nav-${section}`}>
                {section}
              </div>
              <ul aria-labelledby={`nav-${section}`}>
                {PAGES.filter((p) => p.section === section).map((p) => (
                  <li key={p.id}>
                    <Link
                      to={p.path}
                      className={['nav-link', p === page ? 'active' : '', p.available ? '' : 'nav-link-later']
                        .filter(Boolean)
                        .join(' ')}
                      aria-current={p === page ? 'page' : undefined}
                      title={p.available ? p.summary : `${p.summary} — arrives with its feature`}
                    >
                      {p.title}
                      {!p.available && <span className="nav-later">soon</span>}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="sidebar-footer">
          <ConnectionIndicator />
        </div>
      </aside>
      <main id="main" className="main" ref={main} tabIndex={-1}>
        <div className="page" data-page={page?.id ?? 'not-found'}>
          <ErrorBoundary what={page ? `The ${page.title} page` : 'This page'} resetKey={path}>
            <Suspense fallback={<Loading label="Loading page…" />}>{Page ? <Page /> : <NotFound />}</Suspense>
          </ErrorBoundary>
        </div>
      </main>
    </div>
  );
}
