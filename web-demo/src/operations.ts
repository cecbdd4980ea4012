/**
 * The GraphQL documents the demo sends, as Amplify's typed constants. The documents live in
 * graphql/client.graphql (whole Orders through the OrderFields fragment) and
 * graphql/stores.graphql (the operator's store mutations), and `npm run codegen`
 * writes them, with their result and variables types, to generated/operations.ts; here they only
 * take Amplify's `Generated*` brands, so `client.graphql({ query, variables })` checks the
 * variables and types the result.
 */
import type { GeneratedMutation, GeneratedQuery, GeneratedSubscription } from '@aws-amplify/api-graphql';
import {
  AssignStaffDocument,
  CancelOrderDocument,
  CompleteDeliveryDocument,
  CreateStoreDocument,
  DecideOrderDocument,
  GetOrderDocument,
  ListStoresDocument,
  MyOrdersDocument,
  OnOrderUpdatedDocument,
  OrdersByStoreDocument,
  OrdersForPickupDocument,
  PickupOrderDocument,
  PlaceOrderDocument,
  SetStoreOpenDocument,
  type TypedDocumentString,
} from '../../generated/operations.js';

// The brands are phantom types: at run time every document is the plain string codegen wrote.
const query = <R, V>(document: TypedDocumentString<R, V>) => document as GeneratedQuery<V, R>;
const mutation = <R, V>(document: TypedDocumentString<R, V>) => document as GeneratedMutation<V, R>;
/** A subscription whose variables are narrowed to `F`, which must still be valid variables. */
const subscription =
  <R, V>(document: TypedDocumentString<R, V>) =>
  <F extends V>() =>
    document as GeneratedSubscription<F, R>;

export const listStores = query(ListStoresDocument);
export const getOrder = query(GetOrderDocument);
export const myOrders = query(MyOrdersDocument);
export const ordersByStore = query(OrdersByStoreDocument);
export const ordersForPickup = query(OrdersForPickupDocument);
export const placeOrder = mutation(PlaceOrderDocument);
export const decideOrder = mutation(DecideOrderDocument);
export const pickupOrder = mutation(PickupOrderDocument);
export const completeDelivery = mutation(CompleteDeliveryDocument);
export const cancelOrder = mutation(CancelOrderDocument);
export const createStore = mutation(CreateStoreDocument);
export const setStoreOpen = mutation(SetStoreOpenDocument);
export const assignStaff = mutation(AssignStaffDocument);

/**
 * Who the caller is decides which orders `onOrderUpdated` delivers (the server sets the filter
 * from the token); the arguments only narrow it. The demo subscribes with no arguments (a
 * customer's own orders, staff's own store, a driver's offers and deliveries) or, as an
 * operator, with one store. An argument sent as null would be a filter on a null field rather
 * than "no filter", so unused ones are left out of the variables entirely.
 */
export type OrderUpdatesFilter = Readonly<Record<string, never>> | { readonly orderId: string } | { readonly storeId: string };

export const onOrderUpdated = subscription(OnOrderUpdatedDocument)<OrderUpdatesFilter>();
