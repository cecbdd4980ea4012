/**
 * Demo stores, seeded into the Stores table by `npm start` (local) and `npm run seed`
 * (deployed). The first is the original project's seed store in Calgary.
 */
export interface SeedStore {
  readonly storeId: string;
  readonly name: string;
  readonly coordinates: { readonly latitude: number; readonly longitude: number };
}

export const SEED_STORE_ID = 'ouudJiBWJd0HQUafMVLvX';

export const SEED_STORES: readonly SeedStore[] = [
  {
    storeId: SEED_STORE_ID,
    name: 'Beltline Slice (Calgary)',
    coordinates: { latitude: 51.04900775883393, longitude: -114.08263067482211 },
  },
  { storeId: 'kensington-pies', name: 'Kensington Pies (Calgary)', coordinates: { latitude: 51.0531, longitude: -114.0935 } },
  { storeId: 'inglewood-ovens', name: 'Inglewood Ovens (Calgary)', coordinates: { latitude: 51.0375, longitude: -114.0227 } },
];
