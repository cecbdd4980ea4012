import { useEffect, useState } from 'react';
import type { Store } from '../../../generated/graphql.js';

/** The picked store, defaulting to the first one listed once the list arrives. */
export function useDefaultStore(stores: readonly Store[] | null): [string | null, (storeId: string) => void] {
  const [storeId, setStoreId] = useState<string | null>(null);
  useEffect(() => {
    if (storeId === null && stores !== null && stores[0] !== undefined) setStoreId(stores[0].storeId);
  }, [stores, storeId]);
  return [storeId, setStoreId];
}
