/**
 * The demo's API client: one method per operation over Amplify's `generateClient()`, each
 * naming its auth mode (the signed-in user's pool token; only the public store list may go with
 * the API key, for the signed-out sign-in page), plus
 * `watchOrders`, which wraps the `onOrderUpdated` subscription and reports when the server has
 * acknowledged it (AppSync `start_ack`, surfaced by Amplify on the Hub 'api' channel). Views
 * re-query on every acknowledgement, so a change made before the subscription was live (or
 * while the socket was reconnecting) is never missed.
 */
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import type {
  AssignStaffInput,
  CancelOrderInput,
  CompleteDeliveryInput,
  CreateStoreInput,
  DecideOrderInput,
  Order,
  PickupOrderInput,
  PlaceOrderInput,
  SetStoreOpenInput,
  StaffAssignment,
  Store,
} from '../../generated/graphql.js';
import * as ops from './operations.js';
import { isOrder } from './orders.js';

export interface OrderWatchHandlers {
  readonly onOrder: (order: Order) => void;
  /** The server acknowledged the subscription (again, after a reconnect). */
  readonly onLive: () => void;
  readonly onError: (error: unknown) => void;
}

export interface PizzaApi {
  /** Signed out, with the API key (the list is public); signed in, as the user. */
  listStores(signedIn: boolean): Promise<Store[]>;
  getOrder(orderId: string): Promise<Order | null>;
  /** Up to `limit` (1–100) of the signed-in customer's orders, newest first. */
  myOrders(limit?: number): Promise<Order[]>;
  /** Up to `limit` (1–100) of a store's orders, newest first: staff omit `storeId` (their own store). */
  ordersByStore(storeId: string | null, limit?: number): Promise<Order[]>;
  /** Drivers: up to `limit` (1–100) accepted orders waiting for a driver, oldest first. */
  ordersForPickup(limit?: number): Promise<Order[]>;
  placeOrder(input: PlaceOrderInput): Promise<Order>;
  decideOrder(input: DecideOrderInput): Promise<Order>;
  pickupOrder(input: PickupOrderInput): Promise<Order>;
  completeDelivery(input: CompleteDeliveryInput): Promise<Order>;
  cancelOrder(input: CancelOrderInput): Promise<Order>;
  /** Operators: onboard a store (it opens open). */
  createStore(input: CreateStoreInput): Promise<Store>;
  /** Operators: open or close a store. */
  setStoreOpen(input: SetStoreOpenInput): Promise<Store>;
  /** Operators: make an account a store's staff (from its next sign-in). */
  assignStaff(input: AssignStaffInput): Promise<StaffAssignment>;
  /** Subscribes to `onOrderUpdated`; the returned function unsubscribes. */
  watchOrders(filter: ops.OrderUpdatesFilter, handlers: OrderWatchHandlers): () => void;
}

/** Amplify's 'Subscription ack' Hub event (CONTROL_MSG.SUBSCRIPTION_ACK), matched by the variables it echoes. */
const SUBSCRIPTION_ACK = 'Subscription ack';

function sameFilter(variables: unknown, filter: ops.OrderUpdatesFilter): boolean {
  if (typeof variables !== 'object' || variables === null) return false;
  const v: Record<string, unknown> = { ...variables };
  const f: Record<string, unknown> = { ...filter };
  return v.orderId === f.orderId && v.storeId === f.storeId;
}

/** Every request but the signed-out store list goes as the signed-in user (Amplify sends the access token). */
const USER = { authMode: 'userPool' } as const;

/**
 * Call after `Amplify.configure()`. The client is made here rather than passed in: its type
 * (Amplify Data's model machinery) is too deep for TypeScript to compare against a parameter.
 */
export function createPizzaApi(): PizzaApi {
  const client = generateClient();
  return {
    async listStores(signedIn) {
      const result = await client.graphql({ query: ops.listStores, authMode: signedIn ? 'userPool' : 'apiKey' });
      return result.data.listStores;
    },
    async getOrder(orderId) {
      const result = await client.graphql({ query: ops.getOrder, variables: { orderId }, ...USER });
      return result.data.getOrder;
    },
    async myOrders(limit = 50) {
      const result = await client.graphql({ query: ops.myOrders, variables: { limit }, ...USER });
      return result.data.myOrders.items;
    },
    async ordersByStore(storeId, limit = 50) {
      const variables = storeId === null ? { limit } : { storeId, limit };
      const result = await client.graphql({ query: ops.ordersByStore, variables, ...USER });
      return result.data.ordersByStore.items;
    },
    async ordersForPickup(limit = 50) {
      const result = await client.graphql({ query: ops.ordersForPickup, variables: { limit }, ...USER });
      return result.data.ordersForPickup.items;
    },
    async placeOrder(input) {
      const result = await client.graphql({ query: ops.placeOrder, variables: { input }, ...USER });
      return result.data.placeOrder;
    },
    async decideOrder(input) {
      const result = await client.graphql({ query: ops.decideOrder, variables: { input }, ...USER });
      return result.data.decideOrder;
    },
    async pickupOrder(input) {
      const result = await client.graphql({ query: ops.pickupOrder, variables: { input }, ...USER });
      return result.data.pickupOrder;
    },
    async completeDelivery(input) {
      const result = await client.graphql({ query: ops.completeDelivery, variables: { input }, ...USER });
      return result.data.completeDelivery;
    },
    async cancelOrder(input) {
      const result = await client.graphql({ query: ops.cancelOrder, variables: { input }, ...USER });
      return result.data.cancelOrder;
    },
    async createStore(input) {
      const result = await client.graphql({ query: ops.createStore, variables: { input }, ...USER });
      return result.data.createStore;
    },
    async setStoreOpen(input) {
      const result = await client.graphql({ query: ops.setStoreOpen, variables: { input }, ...USER });
      return result.data.setStoreOpen;
    },
    async assignStaff(input) {
      const result = await client.graphql({ query: ops.assignStaff, variables: { input }, ...USER });
      return result.data.assignStaff;
    },
    watchOrders(filter, handlers) {
      const stopListening = Hub.listen('api', ({ payload }) => {
        if (payload.event !== SUBSCRIPTION_ACK) return;
        const data: unknown = payload.data;
        if (typeof data === 'object' && data !== null && 'variables' in data && sameFilter(data.variables, filter)) handlers.onLive();
      });
      const subscription = client.graphql({ query: ops.onOrderUpdated, variables: filter, ...USER }).subscribe({
        next: ({ data }) => {
          const order: unknown = data.onOrderUpdated;
          if (isOrder(order)) handlers.onOrder(order);
        },
        error: (error: unknown) => handlers.onError(error),
      });
      return () => {
        stopListening();
        subscription.unsubscribe();
      };
    },
  };
}
