/**
 * The shell: who is signed in decides the view. Signed out: the sign-in page. A customer orders
 * and tracks (#/customer/<orderId> reopens a tracker), store staff run their store, a driver
 * picks up and delivers, an operator runs the stores and watches any store's orders and the metrics. The party comes from the token's groups
 * (`domain/party.ts`); the API enforces the same policy on every request.
 */
import { signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { currentSession, PARTY_LABELS, type Session } from './auth.js';
import { ErrorList } from './components.js';
import { describeError, type ApiProblem } from './errors.js';
import { SessionContext, StoreListActionsContext, StoresContext, useAsyncAction, useStoreName, useStores } from './hooks.js';
import { CustomerView } from './views/CustomerView.js';
import { DriverView } from './views/DriverView.js';
import { OperatorView } from './views/OperatorView.js';
import { SignInView } from './views/SignInView.js';
import { StoreView } from './views/StoreView.js';

/** The order a customer's URL names (#/customer/<orderId>), or null. */
export function trackedOrderFromHash(hash: string): string | null {
  const [view, orderId] = hash.replace(/^#\/?/, '').split('/');
  return view === 'customer' && orderId !== undefined && orderId !== '' ? decodeURIComponent(orderId) : null;
}

function useTrackedOrder(): string | null {
  const [orderId, setOrderId] = useState(() => trackedOrderFromHash(window.location.hash));
  useEffect(() => {
    const update = () => setOrderId(trackedOrderFromHash(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return orderId;
}

/** Amplify's Hub 'auth' events after which the signed-in user (or their groups) may differ. */
const SESSION_EVENTS: readonly string[] = ['signedIn', 'signedOut', 'tokenRefresh', 'tokenRefresh_failure'];

/** The session: undefined while Amplify's token store is read, null when signed out. */
function useSessionState(): { session: Session | null | undefined; problems: readonly ApiProblem[]; reload: () => void } {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  const reload = useCallback(() => {
    currentSession().then(
      (s) => {
        setProblems([]);
        setSession(s);
      },
      (error: unknown) => {
        setProblems(describeError(error));
        setSession(null);
      },
    );
  }, []);
  useEffect(() => {
    reload();
    return Hub.listen('auth', ({ payload }) => {
      if (SESSION_EVENTS.includes(payload.event)) reload();
    });
  }, [reload]);
  return { session, problems, reload };
}

export function App() {
  const { session, problems, reload } = useSessionState();
  const signedIn = session !== null && session !== undefined;
  const { stores, problems: storeProblems, reload: reloadStores, accept: acceptStore } = useStores(signedIn);
  const storeActions = useMemo(() => ({ reload: reloadStores, accept: acceptStore }), [reloadStores, acceptStore]);
  const orderId = useTrackedOrder();
  const kind = session?.party.kind ?? 'signed-out';
  useEffect(() => {
    document.title = `${kind === 'signed-out' ? 'Sign in' : PARTY_LABELS[kind]} · Serverless Pizza`;
  }, [kind]);
  return (
    <StoresContext.Provider value={stores}>
      <StoreListActionsContext.Provider value={storeActions}>
        <header className="top">
          <h1>
            <span className="logo" aria-hidden="true" /> Serverless Pizza
          </h1>
          <nav aria-label="Links">
            {session !== null && session !== undefined && <SignedInAs session={session} onSignedOut={reload} />}
            <a href="/graphiql" className="external">
              GraphQL explorer
            </a>
          </nav>
        </header>
        <main>
          <ErrorList problems={[...problems, ...storeProblems]} />
          {session === undefined ? (
            <p className="loading">Loading…</p>
          ) : session === null ? (
            <SignInView onSignedIn={reload} />
          ) : (
            <SessionContext.Provider value={session}>
              {/* Keyed by user: another account's views start afresh (their lists and subscriptions). */}
              <PartyView key={session.sub} session={session} orderId={orderId} />
            </SessionContext.Provider>
          )}
        </main>
      </StoreListActionsContext.Provider>
    </StoresContext.Provider>
  );
}

function PartyView({ session, orderId }: { session: Session; orderId: string | null }) {
  const { party } = session;
  switch (party.kind) {
    case 'customer':
      return <CustomerView param={orderId} />;
    case 'store':
      return <StoreView storeId={party.storeId} />;
    case 'driver':
      return <DriverView />;
    case 'operator':
      return <OperatorView />;
    default:
      return (
        <section className="panel">
          <h2>No role</h2>
          <p>
            This account belongs to no party the demo knows (staff must be in exactly one store's group). Sign out and use another account.
          </p>
        </section>
      );
  }
}

function SignedInAs({ session, onSignedOut }: { session: Session; onSignedOut: () => void }) {
  const storeName = useStoreName();
  const { party } = session;
  const action = useAsyncAction();
  return (
    <span className="who" role="status" aria-label="Signed in">
      Signed in as <strong>{session.email}</strong> · {PARTY_LABELS[session.party.kind]}
      {party.kind === 'store' && ` at ${storeName(party.storeId)}`}{' '}
      <button
        type="button"
        className="secondary"
        disabled={action.busy}
        onClick={async () => {
          await action.run(() => signOut());
          onSignedOut();
        }}
      >
        Sign out
      </button>
    </span>
  );
}
