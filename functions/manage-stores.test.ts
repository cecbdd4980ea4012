import { describe, expect, it } from 'vitest';
import { NotFoundError, UnauthorizedError, ValidationError } from '../domain/errors.js';
import type { Party } from '../domain/party.js';
import { assignStaff, createStore, setStoreOpen, type ManageStoresDeps } from './manage-stores.js';
import type { StoreRecord } from './lib/stores.js';
import { UserPoolError } from './lib/user-pool.js';

const operator: Party = { kind: 'operator', userId: 'op-1' };
const nonOperators: Party[] = [
  { kind: 'customer', customerId: 'c-1' },
  { kind: 'store', storeId: 'seed', userId: 's-1' },
  { kind: 'driver', driverId: 'd-1' },
  { kind: 'none' },
];
const coordinates = { latitude: 51, longitude: -114 };

/** In-memory stores, onboarding and user pool that record every change. */
function fakes(groups: Record<string, string[]> = { 'staff@x.example': ['stores', 'store:old', 'drivers'] }) {
  const rows = new Map<string, StoreRecord>([['seed', { storeId: 'seed', name: 'Seed', coordinates, open: true }]]);
  const changes: string[] = [];
  const deps: ManageStoresDeps = {
    stores: {
      get: async (id) => rows.get(id) ?? null,
      create: async (store) => {
        if (rows.has(store.storeId)) return false;
        rows.set(store.storeId, store);
        changes.push(`row ${store.storeId}`);
        return true;
      },
      setOpen: async (id, open) => {
        const row = rows.get(id);
        if (row === undefined) return null;
        rows.set(id, { ...row, open });
        changes.push(`open ${id} ${open}`);
        return rows.get(id) ?? null;
      },
    },
    onboarding: {
      onboard: async (id) => {
        changes.push(`onboard ${id}`);
        return { queueUrl: `q/${id}`, dlqUrl: `q/${id}-dlq`, groupName: `store:${id}` };
      },
    },
    userPool: {
      ensureGroup: async (g) => void changes.push(`group ${g}`),
      groupsOf: async (u) => {
        const found = groups[u];
        if (found === undefined) throw new UserPoolError('UserNotFoundException', 'no such user');
        return [...found];
      },
      addToGroup: async (u, g) => void changes.push(`add ${u} ${g}`),
      removeFromGroup: async (u, g) => void changes.push(`remove ${u} ${g}`),
    },
    queuePrefix: 'ServerlessPizza-dev-store-',
    newStoreId: () => 'generated1',
  };
  return { deps, rows, changes };
}

describe('createStore', () => {
  it('onboards the store before writing its row, open, with a generated id when none is given', async () => {
    const { deps, changes } = fakes();
    const store = await createStore({ storeId: null, name: 'New', coordinates }, operator, deps);
    expect(store).toEqual({ storeId: 'generated1', name: 'New', coordinates, open: true });
    expect(changes).toEqual(['onboard generated1', 'row generated1']);
  });

  it('refuses a given id that exists, before creating anything', async () => {
    const { deps, changes } = fakes();
    await expect(createStore({ storeId: 'seed', name: 'Again', coordinates }, operator, deps)).rejects.toBeInstanceOf(ValidationError);
    expect(changes).toEqual([]);
  });

  it('refuses an id too long for the queue names of this deployment', async () => {
    const { deps, changes } = fakes();
    const long = 'x'.repeat(60);
    await expect(createStore({ storeId: long, name: 'Long', coordinates }, operator, deps)).rejects.toBeInstanceOf(ValidationError);
    expect(changes).toEqual([]);
  });
});

describe('setStoreOpen', () => {
  it('closes a store, and answers NotFound for an unknown one', async () => {
    const { deps } = fakes();
    expect(await setStoreOpen({ storeId: 'seed', open: false }, operator, deps)).toMatchObject({ open: false });
    await expect(setStoreOpen({ storeId: 'nope', open: false }, operator, deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('assignStaff', () => {
  it('moves the account out of other store groups, then into the store and stores', async () => {
    const { deps, changes } = fakes();
    expect(await assignStaff({ storeId: 'seed', username: 'staff@x.example' }, operator, deps)).toEqual({
      storeId: 'seed',
      username: 'staff@x.example',
    });
    expect(changes).toEqual(['remove staff@x.example store:old', 'add staff@x.example store:seed', 'add staff@x.example stores']);
  });

  it('answers NotFound for an unknown store or user, changing nothing', async () => {
    const { deps, changes } = fakes();
    await expect(assignStaff({ storeId: 'nope', username: 'staff@x.example' }, operator, deps)).rejects.toBeInstanceOf(NotFoundError);
    await expect(assignStaff({ storeId: 'seed', username: 'ghost@x.example' }, operator, deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(changes).toEqual([]);
  });
});

describe('every store operation', () => {
  it('refuses every party but an operator with Unauthorized, changing nothing', async () => {
    const { deps, changes } = fakes();
    for (const party of nonOperators) {
      await expect(createStore({ storeId: 'n', name: 'N', coordinates }, party, deps)).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(setStoreOpen({ storeId: 'seed', open: false }, party, deps)).rejects.toBeInstanceOf(UnauthorizedError);
      await expect(assignStaff({ storeId: 'seed', username: 'staff@x.example' }, party, deps)).rejects.toBeInstanceOf(UnauthorizedError);
    }
    expect(changes).toEqual([]);
  });
});
