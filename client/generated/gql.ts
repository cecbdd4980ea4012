/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation Place {\n  placeOrder(\n    input: {storeId: \"ouudJiBWJd0HQUafMVLvX\", paymentId: \"pay_123\", idempotencyKey: \"0f0c2a44-demo-0001\", pies: [{size: LARGE, cheese: MEDIUM, toppings: [PEPPERONI, MUSHROOM]}], deliveryAddress: {coordinates: {latitude: 51.0447, longitude: -114.0719}, streetAddress: \"100 8 Ave SW\", city: \"Calgary\", postalCode: \"T2P 1B3\", province: \"AB\"}}\n  ) {\n    orderId\n    customerId\n    status\n    version\n    createdAt\n  }\n}\n\nsubscription Track {\n  onOrderUpdated {\n    orderId\n    status\n    version\n    deliveryEstimatedAt\n    estimateSource\n  }\n}\n\nquery Mine {\n  myOrders(limit: 10) {\n    items {\n      orderId\n      status\n    }\n    nextToken\n  }\n}\n\nmutation Cancel {\n  cancelOrder(input: {orderId: \"<id>\"}) {\n    status\n    cancellationReason\n  }\n}\n\nsubscription StoreFeed {\n  onOrderUpdated {\n    orderId\n    status\n    version\n  }\n}\n\nquery Queue {\n  ordersByStore(limit: 20) {\n    items {\n      orderId\n      status\n      createdAt\n    }\n  }\n}\n\nmutation Accept {\n  decideOrder(input: {orderId: \"<id>\", decision: ACCEPT}) {\n    status\n    dispatchEstimatedAt\n  }\n}\n\nquery Offers {\n  ordersForPickup {\n    items {\n      orderId\n      storeId\n      acceptedAt\n      deliveryAddress {\n        streetAddress\n      }\n    }\n  }\n}\n\nmutation Pickup {\n  pickupOrder(input: {orderId: \"<id>\"}) {\n    status\n    driverId\n    pickedUpAt\n  }\n}\n\nmutation Deliver {\n  completeDelivery(input: {orderId: \"<id>\"}) {\n    status\n    deliveredAt\n  }\n}\n\nquery Stores {\n  listStores {\n    storeId\n    name\n  }\n}": typeof types.PlaceDocument,
};
const documents: Documents = {
    "mutation Place {\n  placeOrder(\n    input: {storeId: \"ouudJiBWJd0HQUafMVLvX\", paymentId: \"pay_123\", idempotencyKey: \"0f0c2a44-demo-0001\", pies: [{size: LARGE, cheese: MEDIUM, toppings: [PEPPERONI, MUSHROOM]}], deliveryAddress: {coordinates: {latitude: 51.0447, longitude: -114.0719}, streetAddress: \"100 8 Ave SW\", city: \"Calgary\", postalCode: \"T2P 1B3\", province: \"AB\"}}\n  ) {\n    orderId\n    customerId\n    status\n    version\n    createdAt\n  }\n}\n\nsubscription Track {\n  onOrderUpdated {\n    orderId\n    status\n    version\n    deliveryEstimatedAt\n    estimateSource\n  }\n}\n\nquery Mine {\n  myOrders(limit: 10) {\n    items {\n      orderId\n      status\n    }\n    nextToken\n  }\n}\n\nmutation Cancel {\n  cancelOrder(input: {orderId: \"<id>\"}) {\n    status\n    cancellationReason\n  }\n}\n\nsubscription StoreFeed {\n  onOrderUpdated {\n    orderId\n    status\n    version\n  }\n}\n\nquery Queue {\n  ordersByStore(limit: 20) {\n    items {\n      orderId\n      status\n      createdAt\n    }\n  }\n}\n\nmutation Accept {\n  decideOrder(input: {orderId: \"<id>\", decision: ACCEPT}) {\n    status\n    dispatchEstimatedAt\n  }\n}\n\nquery Offers {\n  ordersForPickup {\n    items {\n      orderId\n      storeId\n      acceptedAt\n      deliveryAddress {\n        streetAddress\n      }\n    }\n  }\n}\n\nmutation Pickup {\n  pickupOrder(input: {orderId: \"<id>\"}) {\n    status\n    driverId\n    pickedUpAt\n  }\n}\n\nmutation Deliver {\n  completeDelivery(input: {orderId: \"<id>\"}) {\n    status\n    deliveredAt\n  }\n}\n\nquery Stores {\n  listStores {\n    storeId\n    name\n  }\n}": types.PlaceDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Place {\n  placeOrder(\n    input: {storeId: \"ouudJiBWJd0HQUafMVLvX\", paymentId: \"pay_123\", idempotencyKey: \"0f0c2a44-demo-0001\", pies: [{size: LARGE, cheese: MEDIUM, toppings: [PEPPERONI, MUSHROOM]}], deliveryAddress: {coordinates: {latitude: 51.0447, longitude: -114.0719}, streetAddress: \"100 8 Ave SW\", city: \"Calgary\", postalCode: \"T2P 1B3\", province: \"AB\"}}\n  ) {\n    orderId\n    customerId\n    status\n    version\n    createdAt\n  }\n}\n\nsubscription Track {\n  onOrderUpdated {\n    orderId\n    status\n    version\n    deliveryEstimatedAt\n    estimateSource\n  }\n}\n\nquery Mine {\n  myOrders(limit: 10) {\n    items {\n      orderId\n      status\n    }\n    nextToken\n  }\n}\n\nmutation Cancel {\n  cancelOrder(input: {orderId: \"<id>\"}) {\n    status\n    cancellationReason\n  }\n}\n\nsubscription StoreFeed {\n  onOrderUpdated {\n    orderId\n    status\n    version\n  }\n}\n\nquery Queue {\n  ordersByStore(limit: 20) {\n    items {\n      orderId\n      status\n      createdAt\n    }\n  }\n}\n\nmutation Accept {\n  decideOrder(input: {orderId: \"<id>\", decision: ACCEPT}) {\n    status\n    dispatchEstimatedAt\n  }\n}\n\nquery Offers {\n  ordersForPickup {\n    items {\n      orderId\n      storeId\n      acceptedAt\n      deliveryAddress {\n        streetAddress\n      }\n    }\n  }\n}\n\nmutation Pickup {\n  pickupOrder(input: {orderId: \"<id>\"}) {\n    status\n    driverId\n    pickedUpAt\n  }\n}\n\nmutation Deliver {\n  completeDelivery(input: {orderId: \"<id>\"}) {\n    status\n    deliveredAt\n  }\n}\n\nquery Stores {\n  listStores {\n    storeId\n    name\n  }\n}"): (typeof documents)["mutation Place {\n  placeOrder(\n    input: {storeId: \"ouudJiBWJd0HQUafMVLvX\", paymentId: \"pay_123\", idempotencyKey: \"0f0c2a44-demo-0001\", pies: [{size: LARGE, cheese: MEDIUM, toppings: [PEPPERONI, MUSHROOM]}], deliveryAddress: {coordinates: {latitude: 51.0447, longitude: -114.0719}, streetAddress: \"100 8 Ave SW\", city: \"Calgary\", postalCode: \"T2P 1B3\", province: \"AB\"}}\n  ) {\n    orderId\n    customerId\n    status\n    version\n    createdAt\n  }\n}\n\nsubscription Track {\n  onOrderUpdated {\n    orderId\n    status\n    version\n    deliveryEstimatedAt\n    estimateSource\n  }\n}\n\nquery Mine {\n  myOrders(limit: 10) {\n    items {\n      orderId\n      status\n    }\n    nextToken\n  }\n}\n\nmutation Cancel {\n  cancelOrder(input: {orderId: \"<id>\"}) {\n    status\n    cancellationReason\n  }\n}\n\nsubscription StoreFeed {\n  onOrderUpdated {\n    orderId\n    status\n    version\n  }\n}\n\nquery Queue {\n  ordersByStore(limit: 20) {\n    items {\n      orderId\n      status\n      createdAt\n    }\n  }\n}\n\nmutation Accept {\n  decideOrder(input: {orderId: \"<id>\", decision: ACCEPT}) {\n    status\n    dispatchEstimatedAt\n  }\n}\n\nquery Offers {\n  ordersForPickup {\n    items {\n      orderId\n      storeId\n      acceptedAt\n      deliveryAddress {\n        streetAddress\n      }\n    }\n  }\n}\n\nmutation Pickup {\n  pickupOrder(input: {orderId: \"<id>\"}) {\n    status\n    driverId\n    pickedUpAt\n  }\n}\n\nmutation Deliver {\n  completeDelivery(input: {orderId: \"<id>\"}) {\n    status\n    deliveredAt\n  }\n}\n\nquery Stores {\n  listStores {\n    storeId\n    name\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;