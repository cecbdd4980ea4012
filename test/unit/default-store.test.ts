import { describe, expect, it } from 'vitest';
import type { Store } from '../../generated/graphql.js';
import { SEED_STORE_ID, SEED_STORES } from '../../infra/seed-stores.js';
import { defaultStoreId } from '../../web-demo/src/views/useDefaultStore.js';

/** The seed stores as listStores returns them, in a scan's order (the README's store not first). */
const listed: Store[] = [...SEED_STORES].reverse().map((s) => ({ __typename: 'Store', open: true, ...s }));

describe('defaultStoreId (the web demo)', () => {
  it("starts with the README's example store, wherever the scan lists it", () => {
    expect(listed[0]?.storeId).not.toBe(SEED_STORE_ID);
    expect(defaultStoreId(listed, null)).toBe(SEED_STORE_ID);
  });

  it('keeps the store picked last while it is listed', () => {
    expect(defaultStoreId(listed, 'kensington-pies')).toBe('kensington-pies');
    expect(defaultStoreId(listed, 'closed-store')).toBe(SEED_STORE_ID);
  });

  it("falls back to the first store without the README's, and to none without stores", () => {
    const others = listed.filter((s) => s.storeId !== SEED_STORE_ID);
    expect(defaultStoreId(others, null)).toBe(others[0]?.storeId);
    expect(defaultStoreId([], null)).toBeNull();
  });
});
