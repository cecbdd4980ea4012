/**
 * The operator runs the stores: every store with its open/closed state and a button to close or
 * open it (`setStoreOpen`), a form to onboard a store (`createStore`: its alert queue and staff
 * group are made at once, and it opens open), and one to make an account a store's staff
 * (`assignStaff`, effective from the account's next sign-in). Refusals show the API's errorType
 * (ValidationError, NotFound, Unauthorized) where the action was taken; what a mutation returns
 * is folded into the shared store list, so every picker on the page follows at once.
 */
import { useState, type FormEvent } from 'react';
import type { Store } from '../../../generated/graphql.js';
import { ErrorList, StorePicker } from '../components.js';
import { useApi, useAsyncAction, useStoreList, useStoreListActions } from '../hooks.js';
import { parseCoordinateFields } from '../orders.js';

/** Downtown Calgary, near the seeded stores: a new store's form starts here. */
const DEFAULT_COORDINATES = { latitude: '51.0447', longitude: '-114.0719' };

export function StoresPanel() {
  const stores = useStoreList();
  return (
    <section className="panel" aria-labelledby="stores-title">
      <h2 id="stores-title">Stores</h2>
      {stores === null ? (
        <p className="muted">Loading stores…</p>
      ) : (
        <ul className="store-list" aria-label="Stores">
          {stores.map((store) => (
            <StoreRow key={store.storeId} store={store} />
          ))}
        </ul>
      )}
      <div className="grid two">
        <CreateStoreForm />
        <AssignStaffForm />
      </div>
    </section>
  );
}

function StoreRow({ store }: { store: Store }) {
  const api = useApi();
  const { accept } = useStoreListActions();
  const action = useAsyncAction();
  const toggle = async () => {
    const updated = await action.run(() => api.setStoreOpen({ storeId: store.storeId, open: !store.open }));
    if (updated !== undefined) accept(updated);
  };
  return (
    <li aria-label={store.name}>
      <div className="store-row">
        <strong>{store.name}</strong>
        <span className={`badge ${store.open ? 'badge-open' : 'badge-closed'}`}>{store.open ? 'OPEN' : 'CLOSED'}</span>
        <span className="muted small" title={`Store id ${store.storeId}`}>
          {store.coordinates.latitude.toFixed(4)}, {store.coordinates.longitude.toFixed(4)}
        </span>
        <button type="button" className={store.open ? 'danger' : 'secondary'} disabled={action.busy} onClick={() => void toggle()}>
          {store.open ? 'Close' : 'Open'}
        </button>
      </div>
      <ErrorList problems={action.problems} />
    </li>
  );
}

function CreateStoreForm() {
  const api = useApi();
  const { accept } = useStoreListActions();
  const action = useAsyncAction();
  const [name, setName] = useState('');
  const [coordinates, setCoordinates] = useState(DEFAULT_COORDINATES);
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<Store | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    setCreated(null);
    const parsed = parseCoordinateFields(coordinates);
    if (parsed === null) {
      setFormError('Latitude and longitude must be numbers.');
      return;
    }
    const store = await action.run(() => api.createStore({ name, coordinates: parsed }));
    if (store === undefined) return;
    accept(store);
    setCreated(store);
    setName('');
  };
  return (
    <form onSubmit={submit} aria-labelledby="create-store-title">
      <h3 id="create-store-title">Open a new store</h3>
      <div className="field">
        <label htmlFor="new-store-name">Store name</label>
        <input id="new-store-name" value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="grid">
        <div className="field">
          <label htmlFor="new-store-latitude">Store latitude</label>
          <input
            id="new-store-latitude"
            value={coordinates.latitude}
            inputMode="decimal"
            required
            onChange={(e) => setCoordinates((c) => ({ ...c, latitude: e.target.value }))}
          />
        </div>
        <div className="field">
          <label htmlFor="new-store-longitude">Store longitude</label>
          <input
            id="new-store-longitude"
            value={coordinates.longitude}
            inputMode="decimal"
            required
            onChange={(e) => setCoordinates((c) => ({ ...c, longitude: e.target.value }))}
          />
        </div>
      </div>
      {formError !== null && (
        <div className="errors" role="alert">
          <p>{formError}</p>
        </div>
      )}
      <ErrorList problems={action.problems} />
      {created !== null && (
        <p className="notice small" role="status">
          {created.name} is open (id <code>{created.storeId}</code>): its alert queue and staff group are ready.
        </p>
      )}
      <button type="submit" disabled={action.busy}>
        {action.busy ? 'Creating…' : 'Create store'}
      </button>
    </form>
  );
}

function AssignStaffForm() {
  const api = useApi();
  const stores = useStoreList();
  const action = useAsyncAction();
  const [storeId, setStoreId] = useState<string | null>(null);
  const [username, setUsername] = useState('');
  const [assigned, setAssigned] = useState<string | null>(null);
  const chosen = storeId ?? stores?.[0]?.storeId ?? null;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAssigned(null);
    if (chosen === null) return;
    const result = await action.run(() => api.assignStaff({ storeId: chosen, username: username.trim() }));
    if (result === undefined) return;
    const storeName = stores?.find((s) => s.storeId === result.storeId)?.name ?? result.storeId;
    setAssigned(`${result.username} is now staff at ${storeName}, from their next sign-in.`);
  };
  return (
    <form onSubmit={submit} aria-labelledby="assign-staff-title">
      <h3 id="assign-staff-title">Assign staff</h3>
      <StorePicker id="staff-store" label="Staff's store" stores={stores} value={chosen} onChange={setStoreId} />
      <div className="field">
        <label htmlFor="staff-username">Staff email</label>
        <input id="staff-username" type="email" value={username} required onChange={(e) => setUsername(e.target.value)} />
      </div>
      <ErrorList problems={action.problems} />
      {assigned !== null && (
        <p className="notice small" role="status">
          {assigned}
        </p>
      )}
      <button type="submit" disabled={action.busy || chosen === null}>
        {action.busy ? 'Assigning…' : 'Assign staff'}
      </button>
    </form>
  );
}
