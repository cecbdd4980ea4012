import { useEffect, useState } from 'react';
import type { Store } from '../../../generated/graphql.js';
import { SEED_STORE_ID } from '../../../infra/seed-stores.js';

/** The last store picked in any view is remembered, so customer, store and driver views agree. */
const STORAGE_KEY = 'serverless-pizza.storeId';

function remembered(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/**
 * The store a view starts with: the one picked last if it is still listed, else the README's
 * example store (its examples and subscriptions then see the demo's orders), else the first
 * listed. The list's order is the table scan's, so "first" alone would differ between stacks.
 */
export function defaultStoreId(stores: readonly Store[], last: string | null, openOnly = false): string | null {
  const candidates = openOnly ? stores.filter((s) => s.open) : stores;
  const pick = candidates.find((s) => s.storeId === last) ?? candidates.find((s) => s.storeId === SEED_STORE_ID) ?? candidates[0];
  return pick?.storeId ?? null;
}

/** The picked store: see defaultStoreId (`openOnly`: a closed store is never the default). */
export function useDefaultStore(stores: readonly Store[] | null, openOnly = false): [string | null, (storeId: string) => void] {
  const [storeId, setStoreId] = useState<string | null>(null);
  useEffect(() => {
    if (storeId !== null || stores === null) return;
    const pick = defaultStoreId(stores, remembered(), openOnly);
    // A functional update: a store the user picked since this render (the list can be on screen
    // before this effect runs) is kept, never overwritten by the default.
    if (pick !== null) setStoreId((current) => current ?? pick);
  }, [stores, storeId, openOnly]);
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
