/**
 * React state around the API: one request at a time per action (buttons disable while it
 * runs), the store list, a store's live order list and one live order. Live lists only ever
 * move forward by `version`, whichever of query result, mutation result or event arrives first.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { Order, Store } from '../../generated/graphql.js';
import type { PizzaApi } from './api.js';
import type { OrderUpdatesFilter } from './operations.js';
import { describeError, type ApiProblem } from './errors.js';
import { isNewer, mergeOrder, mergeOrders } from './orders.js';

export const ApiContext = createContext<PizzaApi | null>(null);

export function useApi(): PizzaApi {
  const api = useContext(ApiContext);
  if (api === null) throw new Error('useApi() outside <ApiContext.Provider>');
  return api;
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

export function useStores(): { stores: readonly Store[] | null; problems: readonly ApiProblem[] } {
  const api = useApi();
  const [stores, setStores] = useState<readonly Store[] | null>(null);
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  useEffect(() => {
    let active = true;
    api.listStores().then(
      (list) => active && setStores(list),
      (error: unknown) => active && setProblems(describeError(error)),
    );
    return () => {
      active = false;
    };
  }, [api]);
  return { stores, problems };
}

export type LiveState = 'connecting' | 'live' | 'failed';

export interface LiveOrders {
  readonly orders: readonly Order[] | null;
  readonly live: LiveState;
  readonly problems: readonly ApiProblem[];
  /** Folds a mutation's result in, so the acting view updates before the event arrives. */
  readonly accept: (order: Order) => void;
}

/** A store's orders: queried, then kept current by `onOrderUpdated(storeId)`. */
export function useStoreOrders(storeId: string | null): LiveOrders {
  const api = useApi();
  const [orders, setOrders] = useState<readonly Order[] | null>(null);
  const [live, setLive] = useState<LiveState>('connecting');
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  useEffect(() => {
    setOrders(null);
    setLive('connecting');
    setProblems([]);
    if (storeId === null) return;
    let active = true;
    const refresh = () =>
      api.ordersByStore(storeId).then(
        (list) => active && setOrders((current) => mergeOrders(current ?? [], list)),
        (error: unknown) => active && setProblems(describeError(error)),
      );
    void refresh();
    const stop = watchLive(
      api,
      { storeId },
      {
        onOrder: (order) => order.storeId === storeId && setOrders((current) => mergeOrder(current ?? [], order)),
        resync: () => void refresh(),
        setLive,
        setProblems,
      },
    );
    return () => {
      active = false;
      stop();
    };
  }, [api, storeId]);
  const accept = useCallback((order: Order) => setOrders((current) => mergeOrder(current ?? [], order)), []);
  return { orders, live, problems, accept };
}

export interface LiveOrder {
  readonly order: Order;
  readonly live: LiveState;
  readonly problems: readonly ApiProblem[];
  readonly accept: (order: Order) => void;
}

/** One order, starting from what placeOrder returned, kept current by `onOrderUpdated(orderId)`. */
export function useLiveOrder(initial: Order): LiveOrder {
  const api = useApi();
  const [order, setOrder] = useState<Order>(initial);
  const [live, setLive] = useState<LiveState>('connecting');
  const [problems, setProblems] = useState<readonly ApiProblem[]>([]);
  const orderId = initial.orderId;
  const accept = useCallback((incoming: Order) => setOrder((current) => (isNewer(current, incoming) ? incoming : current)), []);
  useEffect(() => {
    let active = true;
    const stop = watchLive(
      api,
      { orderId },
      {
        onOrder: accept,
        resync: () =>
          api.getOrder(orderId).then(
            (fresh) => active && fresh !== null && accept(fresh),
            (error: unknown) => active && setProblems(describeError(error)),
          ),
        setLive,
        setProblems,
      },
    );
    return () => {
      active = false;
      stop();
    };
  }, [api, orderId, accept]);
  return { order, live, problems, accept };
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
