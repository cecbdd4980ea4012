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

export function routeFromHash(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return VIEWS.find((v) => v.route === name)?.route ?? 'customer';
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const update = () => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function App() {
  const route = useRoute();
  const current = VIEWS.find((v) => v.route === route) ?? VIEWS[0];
  useEffect(() => {
    document.title = `${current.label} · Serverless Pizza`;
  }, [current]);
  return (
    <>
      <header className="top">
        <h1>
          <span aria-hidden="true">🍕</span> Serverless Pizza
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
        <current.View />
      </main>
    </>
  );
}
