/**
 * React state around the API: the signed-in session, one request at a time per action (buttons
 * disable while it runs), the store list, and live order lists. Live lists only ever move
 * forward by `version`, whichever of query result, mutation result or event arrives first.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Order, Store } from '../../generated/graphql.js';
import type { PizzaApi } from './api.js';
import type { Session } from './auth.js';
import type { OrderUpdatesFilter } from './operations.js';
import { describeError, type ApiProblem } from './errors.js';
import { mergeOrder, mergeOrders } from './orders.js';

export const ApiContext = createContext<PizzaApi | null>(null);

export function useApi(): PizzaApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi() outside <ApiContext.Provider>');
  return api;
}

export const SessionContext = createContext<Session | null>(null);

/** The signed-in session; only views rendered for a signed-in user call this. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession() outside a signed-in <SessionContext.Provider>');
  return session;
}

/** The store list App loaded (null while loading or when it failed), so every view can name stores. */
export const StoresContext = createContext<readonly Store[] | null>(null);

export function useStoreList(): readonly Store[] | null {
  return useContext(StoresContext);
}

/** A store's name, for showing instead of its id (the id itself until the list is loaded). */
export function useStoreName(): (storeId: string) => string {
  const stores = useStoreList();
  return useCallback((storeId: string) => stores?.find((s) => s.storeId === storeId)?.name ?? storeId, [stores]);
}

export interface AsyncAction {
  /** Runs `task` unless one is already running; resolves to its result, or undefined when it failed or was skipped. */
  run<T>(task: () => Promise<T>): Promise<T | undefined>;
  readonly busy: boolean;
  readonly problems: readonly ApiProblem[];
  clear(): void;
}

export function useAsyncAction(): AsyncAction {
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  // The ref, not the state, guards re-entry: two clicks can land before React re-renders.
  const running = useRef(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async <T>(task: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setProblems([]);
    try {
      return await task();
    } catch (error) {
      if (mounted.current) setProblems(describeError(error));
      return undefined;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setProblems([]), []);
  return { run, busy, problems, clear };
}

/** Changes to the store list App holds, for views that learn of a store's change. */
export interface StoreListActions {
  /** Re-reads the list (an order met a store that closed since the list was read). */
  readonly reload: () => void;
  /** Folds in a store a mutation returned (created, opened or closed), without a re-read. */
  readonly accept: (store: Store) => void;
}

export const StoreListActionsContext = createContext<StoreListActions>({ reload: () => undefined, accept: () => undefined });

export function useStoreListActions(): StoreListActions {
  return useContext(StoreListActionsContext);
}

/** The public store list: with the API key when signed out, as the user when signed in. */
export function useStores(signedIn: boolean): { stores: readonly Store[] | null; problems: readonly ApiProblem[] } & StoreListActions {
  const api = useApi();
  const [stores, setStores] = useState<readonly Store[] | null>(null);
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  // Bumped to re-read; the list shown stays until the new one arrives.
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const accept = useCallback(
    (store: Store) =>
      setStores((list) =>
        list === null
          ? [store]
          : list.some((s) => s.storeId === store.storeId)
            ? list.map((s) => (s.storeId === store.storeId ? store : s))
            : [...list, store],
      ),
    [],
  );
  useEffect(() => {
    let active = true;
    setProblems([]);
    api.listStores(signedIn).then(
      (list) => active && setStores(list),
      (error: unknown) => active && setProblems(describeError(error)),
    );
    return () => {
      active = false;
    };
  }, [api, signedIn, generation]);
  return { stores, problems, reload, accept };
}

export type LiveState = 'connecting' | 'live' | 'failed';

/** Where a live list comes from. */
export interface LiveSource {
  /** Changes whenever `load` or `filter` would (a new key starts over). */
  readonly key: string;
  /** Reads the list (a query). */
  readonly load: (api: PizzaApi) => Promise<Order[]>;
  readonly filter: OrderUpdatesFilter;
  /**
   * Re-read the list on every event. For lists an event cannot fully maintain: another driver's
   * pickup sends this driver no event, so the pickup list is re-read when anything happens.
   */
  readonly reloadOnEvent?: boolean;
}

export interface LiveOrders {
  /** Every order seen (query results, events, mutation results), newest first; null before the first load. */
  readonly orders: readonly Order[] | null;
  /** Ids in the latest query result, plus those heard of since that query started. */
  readonly listed: ReadonlySet<string>;
  readonly live: LiveState;
  readonly problems: readonly ApiProblem[];
  /** Folds a mutation's or a lookup's result in, so the acting view updates before the event arrives. */
  readonly accept: (order: Order) => void;
}

/**
 * A list read by a query and kept current by `onOrderUpdated(filter)`. Reads are serialized (at
 * most one running and one queued), so a burst of events costs two queries, not one per event.
 */
export function useLiveOrders(source: LiveSource): LiveOrders {
  const api = useApi();
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const [orders, setOrders] = useState<readonly Order[] | null>(null);
  const [listed, setListed] = useState<ReadonlySet<string>>(() => new Set());
  const [live, setLive] = useState<LiveState>('connecting');
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  const { key } = source;
  useEffect(() => {
    setOrders(null);
    setListed(new Set());
    setLive('connecting');
    setProblems([]);
    let active = true;
    /** Events heard, numbered, so a query result can be completed with those that arrived while it ran. */
    let heard: { seq: number; orderId: string }[] = [];
    let seq = 0;
    let loading = false;
    let queued = false;
    const reload = async (): Promise<void> => {
      if (loading) {
        queued = true;
        return;
      }
      loading = true;
      try {
        do {
          queued = false;
          const start = seq;
          try {
            const list = await sourceRef.current.load(api);
            if (!active) return;
            heard = heard.filter((e) => e.seq > start);
            const ids = new Set([...list.map((o) => o.orderId), ...heard.map((e) => e.orderId)]);
            setOrders((current) => mergeOrders(current ?? [], list));
            setListed(ids);
          } catch (error) {
            if (active) setProblems(describeError(error));
          }
        } while (queued && active);
      } finally {
        loading = false;
      }
    };
    void reload();
    const stop = watchLive(api, sourceRef.current.filter, {
      onOrder: (order) => {
        heard.push({ seq: ++seq, orderId: order.orderId });
        setOrders((current) => mergeOrder(current ?? [], order));
        setListed((ids) => (ids.has(order.orderId) ? ids : new Set(ids).add(order.orderId)));
        if (sourceRef.current.reloadOnEvent === true) void reload();
      },
      resync: () => void reload(),
      setLive,
      setProblems,
    });
    return () => {
      active = false;
      stop();
    };
  }, [api, key]);
  const accept = useCallback((order: Order) => {
    setOrders((current) => mergeOrder(current ?? [], order));
    setListed((ids) => (ids.has(order.orderId) ? ids : new Set(ids).add(order.orderId)));
  }, []);
  return { orders, listed, live, problems, accept };
}

/**
 * Subscribes to `onOrderUpdated(filter)`. Each time the subscription is (re)acknowledged the view
 * is marked live and `resync` re-reads what it shows, so nothing published between a query and
 * the subscription going live is missed. Events after the returned stop() are ignored.
 */
function watchLive(
  api: PizzaApi,
  filter: OrderUpdatesFilter,
  handlers: {
    onOrder: (order: Order) => void;
    resync: () => void;
    setLive: (live: LiveState) => void;
    setProblems: (problems: readonly ApiProblem[]) => void;
  },
): () => void {
  let active = true;
  const stop = api.watchOrders(filter, {
    onOrder: (order) => {
      if (active) handlers.onOrder(order);
    },
    onLive: () => {
      if (!active) return;
      handlers.setLive('live');
      handlers.resync();
    },
    onError: (error) => {
      if (!active) return;
      handlers.setLive('failed');
      handlers.setProblems(describeError(error));
    },
  });
  return () => {
    active = false;
    stop();
  };
}
