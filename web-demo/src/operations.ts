/**
 * The GraphQL documents the demo sends, as typed constants. Amplify's `Generated*` brands carry
 * the variable and result types, so `client.graphql({ query, variables })` checks the variables
 * and types the result. Types come from generated/graphql.ts (graphql-codegen, schema types only),
 * so every selection below selects every field its result type declares.
 */
import type { GeneratedMutation, GeneratedQuery, GeneratedSubscription } from '@aws-amplify/api-graphql';
import type {
  CancelOrderInput,
  CompleteDeliveryInput,
  DecideOrderInput,
  Order,
  OrderConnection,
  PickupOrderInput,
  PlaceOrderInput,
  Store,
} from '../../generated/graphql.js';
import { ORDER_SELECTION } from '../../functions/lib/order-selection.js';

/**
 * Every field of `Order`, so results are whole `Order`s (codegen makes every field required).
 * The same selection the stream publisher uses; a unit test checks it against the schema.
 */
const ORDER_FIELDS = ORDER_SELECTION;

export const listStores = /* GraphQL */ `
  query ListStores {
    listStores {
      storeId
      name
      coordinates { latitude longitude }
    }
  }
` as GeneratedQuery<Record<string, never>, { listStores: Store[] }>;

export const getOrder = /* GraphQL */ `
  query GetOrder($orderId: ID!) {
    getOrder(orderId: $orderId) { ${ORDER_FIELDS} }
  }
` as GeneratedQuery<{ orderId: string }, { getOrder: Order | null }>;

export const ordersByStore = /* GraphQL */ `
  query OrdersByStore($storeId: ID!, $limit: Int, $nextToken: String) {
    ordersByStore(storeId: $storeId, limit: $limit, nextToken: $nextToken) {
      items { ${ORDER_FIELDS} }
      nextToken
    }
  }
` as GeneratedQuery<{ storeId: string; limit?: number; nextToken?: string }, { ordersByStore: OrderConnection }>;

export const placeOrder = /* GraphQL */ `
  mutation PlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) { ${ORDER_FIELDS} }
  }
` as GeneratedMutation<{ input: PlaceOrderInput }, { placeOrder: Order }>;

export const decideOrder = /* GraphQL */ `
  mutation DecideOrder($input: DecideOrderInput!) {
    decideOrder(input: $input) { ${ORDER_FIELDS} }
  }
` as GeneratedMutation<{ input: DecideOrderInput }, { decideOrder: Order }>;

export const pickupOrder = /* GraphQL */ `
  mutation PickupOrder($input: PickupOrderInput!) {
    pickupOrder(input: $input) { ${ORDER_FIELDS} }
  }
` as GeneratedMutation<{ input: PickupOrderInput }, { pickupOrder: Order }>;

export const completeDelivery = /* GraphQL */ `
  mutation CompleteDelivery($input: CompleteDeliveryInput!) {
    completeDelivery(input: $input) { ${ORDER_FIELDS} }
  }
` as GeneratedMutation<{ input: CompleteDeliveryInput }, { completeDelivery: Order }>;

export const cancelOrder = /* GraphQL */ `
  mutation CancelOrder($input: CancelOrderInput!) {
    cancelOrder(input: $input) { ${ORDER_FIELDS} }
  }
` as GeneratedMutation<{ input: CancelOrderInput }, { cancelOrder: Order }>;

/**
 * Exactly one of the two arguments: an argument sent as null would be a filter on a null field
 * rather than "no filter", so the unused one is left out of the variables entirely.
 */
export type OrderUpdatesFilter = { readonly orderId: string } | { readonly storeId: string };

export const onOrderUpdated = /* GraphQL */ `
  subscription OnOrderUpdated($orderId: ID, $storeId: ID) {
    onOrderUpdated(orderId: $orderId, storeId: $storeId) { ${ORDER_FIELDS} }
  }
` as GeneratedSubscription<OrderUpdatesFilter, { onOrderUpdated: Order | null }>;
