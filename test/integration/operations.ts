/** GraphQL documents the integration tests (and any client) send; Order selects every field. */
import { ORDER_SELECTION } from '../../functions/lib/order-selection.js';

export const PLACE_ORDER = `mutation PlaceOrder($input: PlaceOrderInput!) { placeOrder(input: $input) {${ORDER_SELECTION}} }`;
export const DECIDE_ORDER = `mutation DecideOrder($input: DecideOrderInput!) { decideOrder(input: $input) {${ORDER_SELECTION}} }`;
export const PICKUP_ORDER = `mutation PickupOrder($input: PickupOrderInput!) { pickupOrder(input: $input) {${ORDER_SELECTION}} }`;
export const COMPLETE_DELIVERY = `mutation CompleteDelivery($input: CompleteDeliveryInput!) { completeDelivery(input: $input) {${ORDER_SELECTION}} }`;
export const CANCEL_ORDER = `mutation CancelOrder($input: CancelOrderInput!) { cancelOrder(input: $input) {${ORDER_SELECTION}} }`;
export const GET_ORDER = `query GetOrder($orderId: ID!) { getOrder(orderId: $orderId) {${ORDER_SELECTION}} }`;
export const ORDERS_BY_STORE = `query OrdersByStore($storeId: ID!, $limit: Int, $nextToken: String) {
  ordersByStore(storeId: $storeId, limit: $limit, nextToken: $nextToken) { items { orderId status createdAt } nextToken }
}`;
export const LIST_STORES = `query ListStores { listStores { storeId name coordinates { latitude longitude } } }`;
export const ON_ORDER_UPDATED = `subscription OnOrderUpdated($orderId: ID, $storeId: ID) {
  onOrderUpdated(orderId: $orderId, storeId: $storeId) { orderId storeId status version cancellationReason estimateSource deliveryEstimatedAt driverId }
}`;
