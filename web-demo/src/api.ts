/**
 * The demo's API client: one method per operation over Amplify's `generateClient()`, plus
 * `watchOrders`, which wraps the `onOrderUpdated` subscription and reports when the server has
 * acknowledged it (AppSync `start_ack`, surfaced by Amplify on the Hub 'api' channel). Views
 * re-query on every acknowledgement, so a change made before the subscription was live (or
 * while the socket was reconnecting) is never missed.
 */
import { generateClient } from 'aws-amplify/api';
import { Hub } from 'aws-amplify/utils';
import type {
  CancelOrderInput,
  CompleteDeliveryInput,
  DecideOrderInput,
  Order,
  PickupOrderInput,
  PlaceOrderInput,
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
  listStores(): Promise<Store[]>;
  getOrder(orderId: string): Promise<Order | null>;
  /** Up to `limit` (1–100) of the store's orders, newest first. */
  ordersByStore(storeId: string, limit?: number): Promise<Order[]>;
  placeOrder(input: PlaceOrderInput): Promise<Order>;
  decideOrder(input: DecideOrderInput): Promise<Order>;
  pickupOrder(input: PickupOrderInput): Promise<Order>;
  completeDelivery(input: CompleteDeliveryInput): Promise<Order>;
  cancelOrder(input: CancelOrderInput): Promise<Order>;
  /** Subscribes to `onOrderUpdated`; the returned function unsubscribes. */
  watchOrders(filter: ops.OrderUpdatesFilter, handlers: OrderWatchHandlers): () => void;
}

/** Amplify's 'Subscription ack' Hub event (CONTROL_MSG.SUBSCRIPTION_ACK), matched by the variables it echoes. */
const SUBSCRIPTION_ACK = 'Subscription ack';

function sameFilter(variables: unknown, filter: ops.OrderUpdatesFilter): boolean {
  if (typeof variables !== 'object' || variables === null) return false;
  const v: Record<string, unknown> = { ...variables };
  return 'orderId' in filter
    ? v.orderId === filter.orderId && v.storeId === undefined
    : v.storeId === filter.storeId && v.orderId === undefined;
}

/**
 * Call after `Amplify.configure()`. The client is made here rather than passed in: its type
 * (Amplify Data's model machinery) is too deep for TypeScript to compare against a parameter.
 */
export function createPizzaApi(): PizzaApi {
  const client = generateClient();
  return {
    async listStores() {
      const result = await client.graphql({ query: ops.listStores });
      return result.data.listStores;
    },
    async getOrder(orderId) {
      const result = await client.graphql({ query: ops.getOrder, variables: { orderId } });
      return result.data.getOrder;
    },
    async ordersByStore(storeId, limit = 50) {
      const result = await client.graphql({ query: ops.ordersByStore, variables: { storeId, limit } });
      return result.data.ordersByStore.items;
    },
    async placeOrder(input) {
      const result = await client.graphql({ query: ops.placeOrder, variables: { input } });
      return result.data.placeOrder;
    },
    async decideOrder(input) {
      const result = await client.graphql({ query: ops.decideOrder, variables: { input } });
      return result.data.decideOrder;
    },
    async pickupOrder(input) {
      const result = await client.graphql({ query: ops.pickupOrder, variables: { input } });
      return result.data.pickupOrder;
    },
    async completeDelivery(input) {
      const result = await client.graphql({ query: ops.completeDelivery, variables: { input } });
      return result.data.completeDelivery;
    },
    async cancelOrder(input) {
      const result = await client.graphql({ query: ops.cancelOrder, variables: { input } });
      return result.data.cancelOrder;
    },
    watchOrders(filter, handlers) {
      const stopListening = Hub.listen('api', ({ payload }) => {
        if (payload.event !== SUBSCRIPTION_ACK) return;
        const data: unknown = payload.data;
        if (typeof data === 'object' && data !== null && 'variables' in data && sameFilter(data.variables, filter)) handlers.onLive();
      });
      const subscription = client.graphql({ query: ops.onOrderUpdated, variables: filter }).subscribe({
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
