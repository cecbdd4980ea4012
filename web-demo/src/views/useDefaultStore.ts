import { useEffect, useState } from 'react';
import type { Store } from '../../../generated/graphql.js';

/** The last store picked in any view is remembered, so customer, store and driver views agree. */
const STORAGE_KEY = 'serverless-pizza.storeId';

function remembered(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/** The picked store: the remembered one if it is still listed, else the first listed. */
export function useDefaultStore(stores: readonly Store[] | null): [string | null, (storeId: string) => void] {
  const [storeId, setStoreId] = useState<string | null>(null);
  useEffect(() => {
    if (storeId !== null || stores === null) return;
    const last = remembered();
    const pick = stores.find((s) => s.storeId === last) ?? stores[0];
    // A functional update: a store the user picked since this render (the list can be on screen
    // before this effect runs) is kept, never overwritten by the default.
    if (pick !== undefined) setStoreId((current) => current ?? pick.storeId);
  }, [stores, storeId]);
  const choose = (id: string) => {
    setStoreId(id);
    try {
      globalThis.localStorage?.setItem(STORAGE_KEY, id);
    } catch {
      // Storage may be disabled; the choice then lasts for this view only.
    }
  };
  return [storeId, choose];
}
