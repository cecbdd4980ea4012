/** The shell: a header, three views routed by the URL hash (#/customer, #/store, #/driver). */
import { useEffect, useState } from 'react';
import { CustomerView } from './views/CustomerView.js';
import { DriverView } from './views/DriverView.js';
import { StoreView } from './views/StoreView.js';

const VIEWS = [
  { route: 'customer', label: 'Customer', View: CustomerView },
  { route: 'store', label: 'Store', View: StoreView },
  { route: 'driver', label: 'Driver', View: DriverView },
] as const;
type Route = (typeof VIEWS)[number]['route'];

export interface Location {
  readonly route: Route;
  /** The segment after the view, e.g. the order id in #/customer/<orderId>; null when absent. */
  readonly param: string | null;
}

export function locationFromHash(hash: string): Location {
  const [name, param] = hash.replace(/^#\/?/, '').split('/');
  const route = VIEWS.find((v) => v.route === name)?.route ?? 'customer';
  return { route, param: param === undefined || param === '' ? null : decodeURIComponent(param) };
}

function useLocation(): Location {
  const [location, setLocation] = useState(() => locationFromHash(window.location.hash));
  useEffect(() => {
    const update = () => setLocation(locationFromHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return location;
}

export function App() {
  const { route, param } = useLocation();
  const current = VIEWS.find((v) => v.route === route) ?? VIEWS[0];
  useEffect(() => {
    document.title = `${current.label} · Serverless Pizza`;
  }, [current]);
  return (
    <>
      <header className="top">
        <h1>
          <span className="logo" aria-hidden="true" /> Serverless Pizza
        </h1>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <a key={v.route} href={`#/${v.route}`} aria-current={v.route === route ? 'page' : undefined}>
              {v.label}
            </a>
          ))}
          <a href="/graphiql" className="external">
            GraphQL explorer
          </a>
        </nav>
      </header>
      <main>
        <current.View param={param} />
      </main>
    </>
  );
}
