/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type CancellationReason =
  /** The customer cancelled before the store accepted. */
  | 'CUSTOMER_CANCELLED'
  /** No driver picked the order up in time. */
  | 'PICKUP_TIMEOUT'
  /** The store did not answer in time. */
  | 'STORE_TIMEOUT';

export type EstimateSource =
  /** openrouteservice driving directions. */
  | 'ROUTING_SERVICE'
  /** Straight-line distance at an average city speed: the routing service was unavailable. */
  | 'STRAIGHT_LINE';

export type OrderStatus =
  /** The store accepted; waiting for a driver to pick it up. */
  | 'ACCEPTED'
  /** Ended before delivery; see cancellationReason. Final. */
  | 'CANCELLED'
  /** The store declined. Final. */
  | 'DECLINED'
  /** Delivered. Final. */
  | 'DELIVERED'
  /** A driver picked it up. */
  | 'OUT_FOR_DELIVERY'
  /** Waiting for the store to accept or decline. */
  | 'PLACED';

export type PlaceMutationVariables = Exact<{ [key: string]: never; }>;


export type PlaceMutation = { placeOrder: { orderId: string, customerId: string, status: OrderStatus, version: number, createdAt: string } };

export type TrackSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type TrackSubscription = { onOrderUpdated: { orderId: string, status: OrderStatus, version: number, deliveryEstimatedAt: string | null, estimateSource: EstimateSource | null } | null };

export type MineQueryVariables = Exact<{ [key: string]: never; }>;


export type MineQuery = { myOrders: { nextToken: string | null, items: Array<{ orderId: string, status: OrderStatus }> } };

export type CancelMutationVariables = Exact<{ [key: string]: never; }>;


export type CancelMutation = { cancelOrder: { status: OrderStatus, cancellationReason: CancellationReason | null } };

export type StoreFeedSubscriptionVariables = Exact<{ [key: string]: never; }>;


export type StoreFeedSubscription = { onOrderUpdated: { orderId: string, status: OrderStatus, version: number } | null };

export type QueueQueryVariables = Exact<{ [key: string]: never; }>;


export type QueueQuery = { ordersByStore: { items: Array<{ orderId: string, status: OrderStatus, createdAt: string }> } };

export type AcceptMutationVariables = Exact<{ [key: string]: never; }>;


export type AcceptMutation = { decideOrder: { status: OrderStatus, dispatchEstimatedAt: string | null } };

export type OffersQueryVariables = Exact<{ [key: string]: never; }>;


export type OffersQuery = { ordersForPickup: { items: Array<{ orderId: string, storeId: string, acceptedAt: string | null, deliveryAddress: { streetAddress: string } }> } };

export type PickupMutationVariables = Exact<{ [key: string]: never; }>;


export type PickupMutation = { pickupOrder: { status: OrderStatus, driverId: string | null, pickedUpAt: string | null } };

export type DeliverMutationVariables = Exact<{ [key: string]: never; }>;


export type DeliverMutation = { completeDelivery: { status: OrderStatus, deliveredAt: string | null } };

export type StoresQueryVariables = Exact<{ [key: string]: never; }>;


export type StoresQuery = { listStores: Array<{ storeId: string, name: string }> };


export const PlaceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Place"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"placeOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"storeId"},"value":{"kind":"StringValue","value":"ouudJiBWJd0HQUafMVLvX","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"paymentId"},"value":{"kind":"StringValue","value":"pay_123","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"StringValue","value":"0f0c2a44-demo-0001","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"pies"},"value":{"kind":"ListValue","values":[{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"size"},"value":{"kind":"EnumValue","value":"LARGE"}},{"kind":"ObjectField","name":{"kind":"Name","value":"cheese"},"value":{"kind":"EnumValue","value":"MEDIUM"}},{"kind":"ObjectField","name":{"kind":"Name","value":"toppings"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"PEPPERONI"},{"kind":"EnumValue","value":"MUSHROOM"}]}}]}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"deliveryAddress"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"coordinates"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"latitude"},"value":{"kind":"FloatValue","value":"51.0447"}},{"kind":"ObjectField","name":{"kind":"Name","value":"longitude"},"value":{"kind":"FloatValue","value":"-114.0719"}}]}},{"kind":"ObjectField","name":{"kind":"Name","value":"streetAddress"},"value":{"kind":"StringValue","value":"100 8 Ave SW","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"city"},"value":{"kind":"StringValue","value":"Calgary","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"postalCode"},"value":{"kind":"StringValue","value":"T2P 1B3","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"province"},"value":{"kind":"StringValue","value":"AB","block":false}}]}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"customerId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<PlaceMutation, PlaceMutationVariables>;
export const TrackDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"Track"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"onOrderUpdated"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryEstimatedAt"}},{"kind":"Field","name":{"kind":"Name","value":"estimateSource"}}]}}]}}]} as unknown as DocumentNode<TrackSubscription, TrackSubscriptionVariables>;
export const MineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Mine"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"myOrders"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"10"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}},{"kind":"Field","name":{"kind":"Name","value":"nextToken"}}]}}]}}]} as unknown as DocumentNode<MineQuery, MineQueryVariables>;
export const CancelDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Cancel"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cancelOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"orderId"},"value":{"kind":"StringValue","value":"<id>","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"cancellationReason"}}]}}]}}]} as unknown as DocumentNode<CancelMutation, CancelMutationVariables>;
export const StoreFeedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"StoreFeed"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"onOrderUpdated"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"version"}}]}}]}}]} as unknown as DocumentNode<StoreFeedSubscription, StoreFeedSubscriptionVariables>;
export const QueueDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Queue"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ordersByStore"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"20"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]}}]} as unknown as DocumentNode<QueueQuery, QueueQueryVariables>;
export const AcceptDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Accept"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"decideOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"orderId"},"value":{"kind":"StringValue","value":"<id>","block":false}},{"kind":"ObjectField","name":{"kind":"Name","value":"decision"},"value":{"kind":"EnumValue","value":"ACCEPT"}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"dispatchEstimatedAt"}}]}}]}}]} as unknown as DocumentNode<AcceptMutation, AcceptMutationVariables>;
export const OffersDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Offers"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ordersForPickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"items"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"orderId"}},{"kind":"Field","name":{"kind":"Name","value":"storeId"}},{"kind":"Field","name":{"kind":"Name","value":"acceptedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deliveryAddress"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"streetAddress"}}]}}]}}]}}]}}]} as unknown as DocumentNode<OffersQuery, OffersQueryVariables>;
export const PickupDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Pickup"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pickupOrder"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"orderId"},"value":{"kind":"StringValue","value":"<id>","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"driverId"}},{"kind":"Field","name":{"kind":"Name","value":"pickedUpAt"}}]}}]}}]} as unknown as DocumentNode<PickupMutation, PickupMutationVariables>;
export const DeliverDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Deliver"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"completeDelivery"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"orderId"},"value":{"kind":"StringValue","value":"<id>","block":false}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"deliveredAt"}}]}}]}}]} as unknown as DocumentNode<DeliverMutation, DeliverMutationVariables>;
export const StoresDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Stores"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"listStores"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"storeId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]} as unknown as DocumentNode<StoresQuery, StoresQueryVariables>;